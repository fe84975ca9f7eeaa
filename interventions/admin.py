import base64
import io

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts import access
from core.admin import RegisterAdmin, TabularInline, job_progress_page
from core.jobs import too_large_for_a_request
from core.spreadsheets.reading import LIMITS, XLSX_CONTENT_TYPE, Problem, SpreadsheetRefused

from . import imports
from .models import (
    FundingLine,
    Indicator,
    Intervention,
    InterventionImportJob,
    KnowledgeItem,
    TargetGroup,
)

# A previewed file travels back with the confirmation, signed, while it fits in a form
# field (the request body cap); a larger one is uploaded again with "preview" unticked.
CARRY_LIMIT = 1024 * 1024
CARRY_MAX_AGE = 3600


class InterventionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        required=False,
    )
    preview = forms.BooleanField(
        label=_("Preview only: show what would change, save nothing"),
        required=False,
        initial=True,
    )
    carried = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("carried"):
            self.add_error("file", _("Choose a file."))
        return cleaned


def carry(user, data, fingerprint):
    if len(data) > CARRY_LIMIT:
        return ""
    payload = {"file": base64.b64encode(data).decode(), "plan": fingerprint}
    return signing.dumps(payload, salt=f"intervention-import:{user.pk}")


def carried_file(user, token):
    """The previewed file and the fingerprint of its plan, or None when the token is
    not this user's, or expired."""
    try:
        payload = signing.loads(token, salt=f"intervention-import:{user.pk}", max_age=CARRY_MAX_AGE)
    except signing.BadSignature:
        return None
    return io.BytesIO(base64.b64decode(payload["file"])), payload["plan"]


class FundingLineInline(TabularInline):
    model = FundingLine
    fields = ["source", "funder", "year", "amount", "note"]
    autocomplete_fields = ["funder"]


class IndicatorInline(TabularInline):
    model = Indicator
    fields = [
        "name",
        "unit",
        "direction",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
    ]


class InterventionForm(forms.ModelForm):
    def clean_themes(self):
        themes = self.cleaned_data.get("themes")
        Intervention.validate_themes(themes)
        return themes


@admin.register(Intervention)
class InterventionAdmin(RegisterAdmin):
    form = InterventionForm
    change_list_template = "admin/interventions/intervention/change_list.html"
    list_display = ["title", "code", "area", "track", "status", "start_date", "end_date"]
    list_filter = ["status", "track__programme", "track", "themes", "evidence_level", "area"]
    list_select_related = ["area", "track__programme"]
    search_fields = ["title", "code", "description", "area__name"]
    autocomplete_fields = ["area", "track", "lead_partner", "partners", "themes", "target_groups"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [FundingLineInline, IndicatorInline]
    fieldsets = [
        (None, {"fields": ["title", "code", "track", "area", "status"]}),
        (_("Content"), {"fields": ["description", "themes", "target_groups", "evidence_level"]}),
        (_("Partners"), {"fields": ["lead_partner", "partners"]}),
        (_("Period"), {"fields": [("start_date", "end_date"), ("created_at", "updated_at")]}),
    ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_import": access.may_import_interventions(request.user),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="interventions_intervention_import",
            ),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="interventions_intervention_import_job",
            ),
            path(
                "import/sheet/",
                self.admin_site.admin_view(self.sheet_view),
                name="interventions_intervention_import_sheet",
            ),
            *super().get_urls(),
        ]

    def sheet_view(self, request):
        """The interventions the user sees, as a sheet in the import's format."""
        if not access.may_import_interventions(request.user):
            raise PermissionDenied
        target = io.BytesIO()
        imports.intervention_sheet(user=request.user, target=target)
        target.seek(0)
        return FileResponse(
            target, as_attachment=True, filename="interventies.xlsx", content_type=XLSX_CONTENT_TYPE
        )

    def import_view(self, request):
        """Upload a sheet of interventions: preview what changes, then confirm."""
        if not access.may_import_interventions(request.user):
            raise PermissionDenied
        result, refusal, confirm = None, "", ""
        form = InterventionImportForm()
        if request.method == "POST":
            length = request.META.get("CONTENT_LENGTH") or "0"
            if length.isdigit() and int(length) > LIMITS.upload_bytes + 64 * 1024:
                # Refused before the body is read, so a huge upload is never spooled.
                refusal = _("The file is larger than %(max)d MB.") % {
                    "max": LIMITS.upload_bytes // 2**20
                }
            else:
                form = InterventionImportForm(request.POST, request.FILES)
            if not refusal and request.POST.get("job"):
                return self._confirm_job(request, request.POST["job"])
            if (
                not refusal
                and form.is_valid()
                and too_large_for_a_request(form.cleaned_data["file"])
            ):
                job = imports.start_intervention_import(
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["preview"],
                )
                return HttpResponseRedirect(self._job_url(job))
            if not refusal and form.is_valid():
                upload, expected = form.cleaned_data["file"], ""
                if upload is None:
                    carried = carried_file(request.user, form.cleaned_data["carried"])
                    if carried is None:
                        refusal = _("The preview has expired: upload the file again.")
                    else:
                        upload, expected = carried
                if upload is not None:
                    dry_run = form.cleaned_data["preview"] and not expected
                    try:
                        result = imports.import_interventions(
                            user=request.user, upload=upload, dry_run=dry_run, expected=expected
                        )
                    except SpreadsheetRefused as error:
                        refusal = error.message
                    else:
                        if result.ok and not dry_run:
                            return self._imported(request, result.counts())
                        if result.ok:
                            upload.seek(0)
                            confirm = carry(request.user, upload.read(), result.fingerprint())
        return self._import_page(
            request,
            form,
            result,
            result.counts() if result else {},
            result.problems if result else [],
            refusal,
            confirm=confirm,
        )

    def _imported(self, request, counts):
        self.message_user(
            request,
            _(
                "Imported: %(created)d interventions created, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % counts,
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:interventions_intervention_changelist"))

    def _import_page(self, request, form, result, counts, problems, refusal, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import interventions from Excel"),
            "opts": self.opts,
            "form": form,
            "result": result,
            "counts": counts,
            "problems": problems,
            "refusal": refusal,
            "sheet_url": reverse("admin:interventions_intervention_import_sheet"),
            **extra,
        }
        return TemplateResponse(request, "admin/interventions/intervention/import.html", context)

    def _job_url(self, job):
        return reverse("admin:interventions_intervention_import_job", args=[job.pk])

    def _own_job(self, request, job_id):
        job = InterventionImportJob.objects.for_user(request.user).filter(pk=job_id).first()
        if job is None or not access.may_use_job(request.user, job):
            raise Http404
        return job

    def _confirm_job(self, request, job_id):
        """Apply a previewed large sheet: its file, applied only while the plan is the
        one the preview showed."""
        preview = self._own_job(request, job_id)
        if not (preview.dry_run and preview.result.get("ok")):
            raise Http404
        job = imports.start_intervention_import(
            user=request.user, upload=preview, dry_run=False, expected=preview.result["fingerprint"]
        )
        return HttpResponseRedirect(self._job_url(job))

    def import_job_view(self, request, job_id):
        """A large sheet in a worker: its progress, then the same preview or result."""
        if not access.may_import_interventions(request.user):
            raise PermissionDenied
        job = self._own_job(request, job_id)
        if not job.is_finished:
            return job_progress_page(self, request, job, None)
        if job.status == job.Status.FAILED:
            return self._import_page(request, InterventionImportForm(), None, {}, [], job.error)
        result = {**job.result, "dry_run": job.dry_run}
        if result["ok"] and not job.dry_run:
            return self._imported(request, result["counts"])
        return self._import_page(
            request,
            InterventionImportForm(),
            result,
            result["counts"],
            [Problem(**problem) for problem in result["problems"]],
            "",
            confirm_job=job.pk if result["ok"] else "",
        )


@admin.register(TargetGroup)
class TargetGroupAdmin(RegisterAdmin):
    search_fields = ["name"]


@admin.register(FundingLine)
class FundingLineAdmin(RegisterAdmin):
    list_display = ["intervention", "source", "funder", "year", "amount"]
    list_filter = ["source", "year"]
    list_select_related = ["intervention", "funder"]
    # By intervention id (an index), not by its title through a join over every line.
    ordering = ["intervention_id", "source", "year"]
    search_fields = ["intervention__title", "intervention__code", "funder__name", "note"]
    autocomplete_fields = ["intervention", "funder"]


@admin.register(Indicator)
class IndicatorAdmin(RegisterAdmin):
    list_display = ["name", "intervention", "unit", "baseline_value", "target_value"]
    list_filter = ["unit", "direction"]
    list_select_related = ["intervention"]
    search_fields = ["name", "intervention__title", "intervention__code"]
    ordering = ["intervention_id", "name"]  # the unique index, not a sort by title
    autocomplete_fields = ["intervention"]


class KnowledgeItemForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if "areas" in cleaned and "interventions" in cleaned:
            try:
                KnowledgeItem.validate_links(cleaned["areas"], cleaned["interventions"])
            except ValidationError as error:
                self.add_error("interventions", error)
        return cleaned


@admin.register(KnowledgeItem)
class KnowledgeItemAdmin(RegisterAdmin):
    form = KnowledgeItemForm
    list_display = ["title", "kind", "evidence_level", "published_on"]
    list_filter = ["kind", "evidence_level", "areas"]
    search_fields = ["title", "summary", "source"]
    autocomplete_fields = ["interventions", "areas"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "evidence_level"]}),
        (_("Content"), {"fields": ["summary", "source", "published_on"]}),
        (_("About"), {"fields": ["interventions", "areas"]}),
        (None, {"fields": [("created_at", "updated_at")]}),
    ]
