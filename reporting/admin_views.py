"""The admin's workflow pages for quarters and reports: steps, Excel round trip,
overview and downloads. Plain views, wired into the admin by the ModelAdmins'
``get_urls`` (they receive their ModelAdmin as ``model_admin``), so the ModelAdmins in
``admin.py`` stay declarative.

Every view finds its row through the ModelAdmin's scoped queryset: a row outside the
user's areas answers as the admin answers a missing one.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import access
from areas.models import Area
from core.admin import job_progress_page
from core.jobs import too_large_for_a_request
from core.spreadsheets.reading import LIMITS, Problem, SpreadsheetRefused

from . import imports, services
from .exports.jobs import made_in_the_request, start_export
from .exports.service import CONTENT_TYPES, export_quarter, export_template
from .models import AreaReport, ExportLog, QuarterImportJob

QUARTER_STEPS = {
    "close": (_("Close quarter"), False),
    "reopen": (_("Reopen quarter"), True),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def upload_refused_early(request):
    """A body far over the cap is refused before Django spools it to disk."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) > LIMITS.upload_bytes + 64 * 1024


def _scoped_object(model_admin, request, object_id):
    """The row, or None when it is missing or outside the user's scope."""
    return model_admin.get_object(request, unquote(object_id))


def _missing(model_admin, request, object_id):
    return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)


def _step_page(model_admin, request, obj, *, title, step_label, needs_comment, perform, done_url):
    """Confirm a workflow step, with a comment where one is required, then take it."""
    errors = []
    comment = request.POST.get("comment", "")
    if request.method == "POST":
        try:
            perform(comment)
        except PermissionDenied:
            raise
        except ValidationError as error:
            errors = error.messages
        else:
            model_admin.message_user(
                request, _("%(step)s: done.") % {"step": step_label}, messages.SUCCESS
            )
            return HttpResponseRedirect(done_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "object": obj,
        "opts": model_admin.opts,
        "step_label": step_label,
        "needs_comment": needs_comment,
        "comment": comment,
        "errors": errors,
        "cancel_url": done_url,
    }
    return TemplateResponse(request, "admin/reporting/step_form.html", context)


def report_steps(*, report, user):
    """The report's workflow buttons for ``user``: (step, label) pairs."""
    if report is None:
        return []
    return [
        (step, services.STEP_LABELS[step])
        for step in services.allowed_report_steps(report=report, user=user)
    ]


def report_step(request, object_id, step, *, model_admin):
    report = _scoped_object(model_admin, request, object_id)
    if report is None:
        return _missing(model_admin, request, object_id)
    if step not in services.REPORT_STEPS:
        raise PermissionDenied
    done_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(done_url, allowed_hosts={request.get_host()}):
        done_url = reverse("admin:reporting_areareport_change", args=[report.pk])
    label = services.STEP_LABELS[step]
    return _step_page(
        model_admin,
        request,
        report,
        title=f"{label}: {report}",
        step_label=label,
        needs_comment=step in services.STEPS_NEEDING_A_COMMENT,
        perform=lambda comment: services.report_step(
            report=report, user=request.user, step=step, comment=comment
        ),
        done_url=done_url,
    )


def without_update(*, report, user):
    """The titles of the running interventions still without an update, for the button
    that adds them; none when ``user`` may not change the report."""
    if report is None or not access.can(user, "change", report):
        return []
    return list(services.interventions_without_update(report).values_list("title", flat=True))


def report_add_updates(request, object_id, *, model_admin):
    """An explicit step: every running intervention of the area without an update this
    quarter gets one (carried over from the previous quarter where there is one)."""
    report = _scoped_object(model_admin, request, object_id)
    if report is None:
        return _missing(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.can(request.user, "change", report):
        raise PermissionDenied
    created = services.report_prepare(report=report, user=request.user)
    model_admin.message_user(
        request,
        ngettext("%(count)d update added.", "%(count)d updates added.", created)
        % {"count": created},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:reporting_areareport_change", args=[report.pk]))


def report_template(request, object_id, *, model_admin):
    """The report as an Excel template to fill in offline."""
    report = _scoped_object(model_admin, request, object_id)
    if report is None:
        return _missing(model_admin, request, object_id)
    name, exported, content_type = export_template(user=request.user, report=report, via="admin")
    return FileResponse(exported, as_attachment=True, filename=name, content_type=content_type)


def report_import(request, object_id, *, model_admin):
    """Upload a filled-in template: saved only when every row is valid."""
    report = _scoped_object(model_admin, request, object_id)
    if report is None:
        return _missing(model_admin, request, object_id)
    lock = access.lock_on(request.user, "change", report)
    if lock is None and not access.can(request.user, "change", report):
        raise PermissionDenied
    change_url = reverse("admin:reporting_areareport_change", args=[report.pk])
    problems, refusal = [], ""
    form = UploadForm()
    if lock is not None:
        refusal = lock.messages[0]
    elif request.method == "POST":
        if upload_refused_early(request):
            refusal = _("The file is larger than %(max)d MB.") % {
                "max": LIMITS.upload_bytes // 2**20
            }
        else:
            form = UploadForm(request.POST, request.FILES)
        if not refusal and form.is_valid() and too_large_for_a_request(form.cleaned_data["file"]):
            job = imports.start_quarter_import(
                report=report, user=request.user, upload=form.cleaned_data["file"]
            )
            return HttpResponseRedirect(
                reverse("admin:reporting_areareport_import_job", args=[report.pk, job.pk])
            )
        if not refusal and form.is_valid():
            try:
                result = imports.import_quarter(
                    report=report, user=request.user, upload=form.cleaned_data["file"]
                )
            except SpreadsheetRefused as error:
                refusal = error.message
            except ValidationError as error:  # locked meanwhile
                refusal = error.messages[0]
            else:
                if result.ok:
                    _imported(model_admin, request, result.counts())
                    return HttpResponseRedirect(change_url)
                problems = result.problems
    return _import_page(model_admin, request, report, form, lock, refusal, problems)


def _imported(model_admin, request, counts):
    model_admin.message_user(
        request,
        _("Imported: %(updates)d updates and %(values)d indicator values changed.")
        % {
            "updates": counts["updates_changed"] + int(counts["report_changed"]),
            "values": counts["values_created"]
            + counts["values_changed"]
            + counts["values_deleted"],
        },
        messages.SUCCESS,
    )


def _import_page(model_admin, request, report, form, lock, refusal, problems):
    change_url = reverse("admin:reporting_areareport_change", args=[report.pk])
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import from Excel: %(report)s") % {"report": report},
        "opts": model_admin.opts,
        "original": report,
        "form": form,
        "locked": lock is not None,
        "refusal": refusal,
        "problems": problems,
        "cancel_url": change_url,
        "template_url": reverse("admin:reporting_areareport_template", args=[report.pk]),
    }
    return TemplateResponse(request, "admin/reporting/areareport/import.html", context)


def report_import_job(request, object_id, job_id, *, model_admin):
    """A large import in a worker: its progress, then the same result as an import in
    the request (back to the report, or the file's problems)."""
    report = _scoped_object(model_admin, request, object_id)
    job = QuarterImportJob.objects.for_user(request.user).filter(pk=job_id, report=report).first()
    if report is None or job is None or not access.may_use_job(request.user, job):
        return _missing(model_admin, request, object_id)
    if not job.is_finished:
        return job_progress_page(model_admin, request, job, report)
    if job.status == job.Status.FAILED:
        return _import_page(model_admin, request, report, UploadForm(), None, job.error, [])
    if job.result["ok"]:
        _imported(model_admin, request, job.result["counts"])
        return HttpResponseRedirect(reverse("admin:reporting_areareport_change", args=[report.pk]))
    problems = [Problem(**problem) for problem in job.result["problems"]]
    return _import_page(model_admin, request, report, UploadForm(), None, "", problems)


def quarter_steps(*, period, user):
    """The quarter's workflow buttons for ``user``: (step, label) pairs."""
    if period is None or not access.may_manage_quarters(user):
        return []
    step = "reopen" if period.is_closed else "close"
    return [(step, QUARTER_STEPS[step][0])]


def quarter_step(request, object_id, step, *, model_admin):
    period = _scoped_object(model_admin, request, object_id)
    if period is None:
        return _missing(model_admin, request, object_id)
    if step not in QUARTER_STEPS or not access.may_manage_quarters(request.user):
        raise PermissionDenied
    label, needs_comment = QUARTER_STEPS[step]

    def perform(comment):
        if step == "close":
            services.quarter_close(period=period, user=request.user)
        else:
            services.quarter_reopen(period=period, user=request.user, reason=comment)

    return _step_page(
        model_admin,
        request,
        period,
        title=f"{label}: {period.label}",
        step_label=label,
        needs_comment=needs_comment,
        perform=perform,
        done_url=reverse("admin:programme_reportingperiod_change", args=[period.pk]),
    )


def quarter_overview(request, object_id, *, model_admin):
    period = _scoped_object(model_admin, request, object_id)
    if period is None:
        return _missing(model_admin, request, object_id)
    reports = (
        AreaReport.objects.for_user(request.user)
        .filter(period=period)
        .select_related("area__municipality", "period")
        .annotate(updates_to_fill=Count("updates", filter=Q(updates__light="")))
        .order_by("area__name")
    )
    rows = [
        (report, services.allowed_report_steps(report=report, user=request.user))
        for report in reports
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Quarter %(quarter)s: reports per area") % {"quarter": period.label},
        "opts": model_admin.opts,
        "period": period,
        "rows": rows,
    }
    return TemplateResponse(request, "admin/reporting/quarter/overview.html", context)


def quarter_export(request, object_id, fmt, *, model_admin):
    """The quarterly report as a file, of the whole quarter or of one area (?area=)."""
    period = _scoped_object(model_admin, request, object_id)
    if period is None:
        return _missing(model_admin, request, object_id)
    if fmt not in CONTENT_TYPES:
        raise Http404
    area = None
    if request.GET.get("area"):
        area_id = request.GET["area"]
        area = area_id.isdigit() and Area.objects.for_user(request.user).filter(pk=area_id).first()
        if not area:
            raise Http404
    if made_in_the_request(user=request.user, period=period, area=area):
        name, exported, content_type = export_quarter(
            user=request.user, period=period, fmt=fmt, area=area, via="admin"
        )
        return FileResponse(exported, as_attachment=True, filename=name, content_type=content_type)
    # Too large for a request: a background job, started by a POST (a GET writes nothing).
    if request.method == "POST":
        job = start_export(
            user=request.user,
            period=period,
            fmt=fmt,
            area=area,
            via="admin",
            page_url=lambda job: request.build_absolute_uri(
                reverse("pages:export-job", args=[job.pk])
            ),
        )
        return HttpResponseRedirect(reverse("pages:export-job", args=[job.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Quarterly report %(quarter)s") % {"quarter": period.label},
        "opts": model_admin.opts,
        "period": period,
        "format_label": ExportLog.Format(fmt).label,
        "cancel_url": reverse("admin:programme_reportingperiod_change", args=[period.pk]),
    }
    return TemplateResponse(request, "admin/reporting/quarter/export_start.html", context)
