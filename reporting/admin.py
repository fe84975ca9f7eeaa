from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from accounts import access
from areas.models import Area
from core.admin import (
    RegisterAdmin,
    ScopedModelAdmin,
    StackedInline,
    TabularInline,
    job_progress_page,
)
from core.counting import EstimatedCountPaginator
from core.jobs import too_large_for_a_request
from core.spreadsheets.reading import LIMITS, Problem, SpreadsheetRefused
from core.spreadsheets.writing import spooled
from programme.models import ReportingPeriod

from . import imports, services
from .exports.service import CONTENT_TYPES, export_quarter
from .models import (
    AreaReport,
    Escalation,
    ExportLog,
    IndicatorValue,
    ProgressUpdate,
    QuarterImportJob,
    QuarterTransition,
    ReportTransition,
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def upload_refused_early(request):
    """A body far over the cap is refused before Django spools it to disk."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) > LIMITS.upload_bytes + 64 * 1024


def step_page(model_admin, request, obj, *, title, step_label, needs_comment, perform, done_url):
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


class ReportTransitionInline(TabularInline):
    model = ReportTransition
    fields = ["at", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    verbose_name_plural = _("workflow history")


class ProgressUpdateInline(TabularInline):
    model = ProgressUpdate
    fields = [
        "intervention",
        "light",
        "narrative",
        "results",
        "money_spent_to_date",
        "risks",
        "carried_over",
    ]
    readonly_fields = ["intervention", "carried_over"]
    formfield_overrides = {
        **TabularInline.formfield_overrides,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 28})},
    }
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # updates are made for the report's running interventions

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("intervention", "period__programme")


class EscalationInline(StackedInline):
    model = Escalation
    fields = [("title", "kind", "addressed_to"), "description", ("status", "answered_at"), "answer"]


updates_without_light = (
    ProgressUpdate.objects.filter(report=OuterRef("pk"), light="")
    .order_by()
    .values("report")
    .annotate(count=Count("pk"))
    .values("count")
)


@admin.register(AreaReport)
class AreaReportAdmin(RegisterAdmin):
    change_form_template = "admin/reporting/areareport/change_form.html"
    list_display = ["area", "period", "status", "overall_light", "updates_to_fill", "late"]
    list_filter = ["period", "status", "overall_light", "area"]
    list_select_related = ["area", "period__programme"]
    search_fields = ["area__name", "area__municipality__name"]
    readonly_fields = ["area", "period", "status", "submitted_at", "reviewed_at"]
    inlines = [ProgressUpdateInline, EscalationInline, ReportTransitionInline]
    fieldsets = [
        (None, {"fields": [("area", "period"), ("status", "submitted_at", "reviewed_at")]}),
        (_("Report"), {"fields": ["overall_light", "narrative", "governance_progress"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("area", "period__programme")
            # A subquery per shown report, not a join grouped over every update.
            .annotate(_updates_to_fill=Coalesce(Subquery(updates_without_light), 0))
        )

    def has_add_permission(self, request):
        return False  # reports are made when a quarter opens

    @admin.display(description=_("updates without a light"), ordering="_updates_to_fill")
    def updates_to_fill(self, report):
        return report._updates_to_fill

    @admin.display(description=_("late"), boolean=True)
    def late(self, report):
        return report.is_late

    def get_urls(self):
        return [
            path(
                "<path:object_id>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="reporting_areareport_step",
            ),
            path(
                "<path:object_id>/template/",
                self.admin_site.admin_view(self.template_view),
                name="reporting_areareport_template",
            ),
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="reporting_areareport_import",
            ),
            path(
                "<path:object_id>/import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="reporting_areareport_import_job",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request, object_id):
        """The report as an Excel template to fill in offline."""
        report = self.get_object(request, unquote(object_id))
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        target = spooled()
        imports.quarter_template(report=report, user=request.user, target=target)
        target.seek(0)
        return FileResponse(
            target,
            as_attachment=True,
            filename=imports.template_name(report),
            content_type=imports.TEMPLATE_CONTENT_TYPE,
        )

    def import_view(self, request, object_id):
        """Upload a filled-in template: saved only when every row is valid."""
        report = self.get_object(request, unquote(object_id))
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
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
            if (
                not refusal
                and form.is_valid()
                and too_large_for_a_request(form.cleaned_data["file"])
            ):
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
                        self._imported(request, result.counts())
                        return HttpResponseRedirect(change_url)
                    problems = result.problems
        return self._import_page(request, report, form, lock, refusal, problems)

    def _imported(self, request, counts):
        self.message_user(
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

    def _import_page(self, request, report, form, lock, refusal, problems):
        change_url = reverse("admin:reporting_areareport_change", args=[report.pk])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import from Excel: %(report)s") % {"report": report},
            "opts": self.opts,
            "original": report,
            "form": form,
            "locked": lock is not None,
            "refusal": refusal,
            "problems": problems,
            "cancel_url": change_url,
            "template_url": reverse("admin:reporting_areareport_template", args=[report.pk]),
        }
        return TemplateResponse(request, "admin/reporting/areareport/import.html", context)

    def import_job_view(self, request, object_id, job_id):
        """A large import in a worker: its progress, then the same result as in the
        request (back to the report, or the file's problems)."""
        report = self.get_object(request, unquote(object_id))
        job = (
            QuarterImportJob.objects.for_user(request.user).filter(pk=job_id, report=report).first()
        )
        if report is None or job is None or not access.may_use_job(request.user, job):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not job.is_finished:
            return job_progress_page(self, request, job, report)
        if job.status == job.Status.FAILED:
            return self._import_page(request, report, UploadForm(), None, job.error, [])
        if job.result["ok"]:
            self._imported(request, job.result["counts"])
            return HttpResponseRedirect(
                reverse("admin:reporting_areareport_change", args=[report.pk])
            )
        problems = [Problem(**problem) for problem in job.result["problems"]]
        return self._import_page(request, report, UploadForm(), None, "", problems)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        if (
            report is not None
            and request.method == "GET"
            and access.can(request.user, "change", report)
        ):
            # An intervention that started running since the quarter opened gets its update.
            services.report_prepare(report=report, user=request.user)
        extra_context = {
            **(extra_context or {}),
            "report_steps": [
                (step, services.STEP_LABELS[step])
                for step in (
                    services.allowed_report_steps(report=report, user=request.user)
                    if report
                    else []
                )
            ],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def step_view(self, request, object_id, step):
        report = self.get_object(request, unquote(object_id))
        if report is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if step not in services.REPORT_STEPS:
            raise PermissionDenied
        done_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(done_url, allowed_hosts={request.get_host()}):
            done_url = reverse("admin:reporting_areareport_change", args=[report.pk])
        label = services.STEP_LABELS[step]
        return step_page(
            self,
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


class IndicatorValueInline(TabularInline):
    model = IndicatorValue
    fields = ["indicator", "value", "carried_over"]
    readonly_fields = ["carried_over"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            field = formset.form.base_fields["indicator"]
            field.queryset = field.queryset.filter(intervention_id=obj.intervention_id)
        return formset


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(RegisterAdmin):
    list_display = ["intervention", "period", "light", "money_spent_to_date", "carried_over"]
    list_filter = ["period", "light", "carried_over", "intervention__area"]
    list_select_related = ["intervention", "period__programme"]
    search_fields = ["intervention__title", "intervention__code"]
    readonly_fields = ["intervention", "period", "report", "carried_over"]
    inlines = [IndicatorValueInline]
    # Newest quarter first along an index (update_period_intervention_idx): ordering by
    # the quarter's year and the intervention's title would sort a million rows.
    ordering = ["-period_id", "intervention_id"]
    paginator = EstimatedCountPaginator
    fieldsets = [
        (None, {"fields": ["intervention", "period", "report", "carried_over"]}),
        (
            _("Progress"),
            {"fields": ["light", "narrative", "results", "money_spent_to_date", "risks"]},
        ),
    ]

    def has_add_permission(self, request):
        return False  # updates are made when a quarter opens

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("intervention", "period__programme")


@admin.register(Escalation)
class EscalationAdmin(RegisterAdmin):
    list_display = ["title", "report", "kind", "addressed_to", "status", "answered_at"]
    list_filter = ["status", "kind", "addressed_to", "report__period", "report__area"]
    list_select_related = ["report__area", "report__period"]
    search_fields = ["title", "description", "answer", "report__area__name"]
    autocomplete_fields = ["report"]
    fieldsets = [
        (None, {"fields": ["report", "title", "kind", "addressed_to", "description"]}),
        (_("Answer from the Rijk"), {"fields": ["status", "answered_at", "answer"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.quarter_is_closed():
            # What the area raised is final; the Rijk's answer may still follow.
            readonly += ["report", "title", "kind", "addressed_to", "description"]
        return readonly


class QuarterTransitionInline(TabularInline):
    model = QuarterTransition
    fields = ["at", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    verbose_name_plural = _("workflow history")


@admin.register(ReportingPeriod)
class QuarterAdmin(RegisterAdmin):
    """Quarters: opening one makes every area's report; closing one makes it final."""

    change_form_template = "admin/reporting/quarter/change_form.html"
    list_display = ["label", "programme", "deadline", "status", "reports_submitted"]
    list_filter = ["programme", "status", "year"]
    list_select_related = ["programme"]
    search_fields = ["year", "programme__code", "programme__name"]
    autocomplete_fields = ["programme"]
    readonly_fields = ["status"]
    inlines = [QuarterTransitionInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["programme", "year", "quarter", "deadline"]
        return ["programme", "year", "quarter", "deadline", "status"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["programme", "year", "quarter", "status"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _submitted=Count(
                    "reports", filter=Q(reports__status__in=["submitted", "approved"])
                ),
                _reports=Count("reports"),
            )
            .select_related("programme")
            .order_by(*ReportingPeriod._meta.ordering)
        )

    @admin.display(description=_("reports in"))
    def reports_submitted(self, period):
        return f"{period._submitted} / {period._reports}"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        opened = services.quarter_open(
            programme=obj.programme,
            year=obj.year,
            quarter=obj.quarter,
            deadline=obj.deadline,
            user=request.user,
        )
        obj.pk, obj._state.adding = opened.pk, False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/overview/",
                self.admin_site.admin_view(self.overview_view),
                name="programme_reportingperiod_overview",
            ),
            path(
                "<path:object_id>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="programme_reportingperiod_step",
            ),
            path(
                "<path:object_id>/export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="programme_reportingperiod_export",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        period = self.get_object(request, unquote(object_id))
        steps = []
        if period is not None and access.is_coordinator(request.user):
            steps = (
                [("reopen", _("Reopen quarter"))]
                if period.is_closed
                else [("close", _("Close quarter"))]
            )
        extra_context = {**(extra_context or {}), "quarter_steps": steps}
        return super().change_view(request, object_id, form_url, extra_context)

    def overview_view(self, request, object_id):
        period = self.get_object(request, unquote(object_id))
        if period is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
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
            **self.admin_site.each_context(request),
            "title": _("Quarter %(quarter)s: reports per area") % {"quarter": period.label},
            "opts": self.opts,
            "period": period,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/reporting/quarter/overview.html", context)

    def export_view(self, request, object_id, fmt):
        """The quarterly report as a file, of the whole quarter or of one area (?area=)."""
        period = self.get_object(request, unquote(object_id))
        if period is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if fmt not in CONTENT_TYPES:
            raise Http404
        area = None
        if request.GET.get("area"):
            area = Area.objects.for_user(request.user).filter(pk=request.GET["area"]).first()
            if area is None:
                raise Http404
        name, exported, content_type = export_quarter(
            user=request.user, period=period, fmt=fmt, area=area, via="admin"
        )
        return FileResponse(exported, as_attachment=True, filename=name, content_type=content_type)

    def step_view(self, request, object_id, step):
        period = self.get_object(request, unquote(object_id))
        if period is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        actions = {
            "close": (
                _("Close quarter"),
                False,
                lambda comment: services.quarter_close(period=period, user=request.user),
            ),
            "reopen": (
                _("Reopen quarter"),
                True,
                lambda comment: services.quarter_reopen(
                    period=period, user=request.user, reason=comment
                ),
            ),
        }
        if step not in actions or not access.is_coordinator(request.user):
            raise PermissionDenied
        label, needs_comment, perform = actions[step]
        return step_page(
            self,
            request,
            period,
            title=f"{label}: {period.label}",
            step_label=label,
            needs_comment=needs_comment,
            perform=perform,
            done_url=reverse("admin:programme_reportingperiod_change", args=[period.pk]),
        )


class TransitionAdmin(ScopedModelAdmin):
    """The workflow's own record: read-only for everyone."""

    list_display = ["__str__", "actor", "at", "from_status", "to_status"]
    list_filter = ["to_status"]
    readonly_fields = ["actor", "at", "from_status", "to_status", "comment"]


@admin.register(ExportLog)
class ExportLogAdmin(ScopedModelAdmin):
    """Every export: who, what, when. Read-only."""

    list_display = ["at", "user", "period", "area", "format", "via"]
    list_filter = ["format", "via"]
    list_select_related = ["user", "period__programme", "area"]
    search_fields = ["user__email"]
    readonly_fields = ["at", "user", "period", "area", "format", "via"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportTransition)
class ReportTransitionAdmin(TransitionAdmin):
    list_select_related = ["report__area", "report__period", "actor"]
    search_fields = ["report__area__name", "comment"]


@admin.register(QuarterTransition)
class QuarterTransitionAdmin(TransitionAdmin):
    list_select_related = ["period__programme", "actor"]
    search_fields = ["period__programme__code", "comment"]
