import base64
import io

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts import access
from core.admin import RegisterAdmin, ScopedModelAdmin

from . import imports
from .models import AreaGoal, ContextImport, ContextMeasure, ContextValue

# As the intervention import: a previewed file travels back with the confirmation,
# signed, while it fits in a form field; a larger one is uploaded again unticked.
CARRY_LIMIT = 1024 * 1024
CARRY_MAX_AGE = 3600
SALT = "context-import"


class ContextImportForm(forms.Form):
    file = forms.FileField(label=_("File (JSON, CSV or a zip with one of them)"), required=False)
    format = forms.ChoiceField(label=_("format"), choices=ContextImport.Format.choices)
    year = forms.IntegerField(
        label=_("year"),
        min_value=1990,
        max_value=2100,
        required=False,
        help_text=_("For a CBS table of one year, which the file does not name."),
    )
    source = forms.CharField(
        label=_("source"),
        required=False,
        max_length=500,
        help_text=_("Required for a tidy CSV without a source column."),
    )
    provisional = forms.BooleanField(label=_("The figures are provisional"), required=False)
    preview = forms.BooleanField(
        label=_("Preview only: show what would change, save nothing"), required=False, initial=True
    )
    carried = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("carried"):
            self.add_error("file", _("Choose a file."))
        return cleaned


def carry(user, data, name, options, fingerprint):
    if len(data) > CARRY_LIMIT:
        return ""
    payload = {
        "file": base64.b64encode(data).decode(),
        "name": name,
        "options": options,
        "plan": fingerprint,
    }
    return signing.dumps(payload, salt=f"{SALT}:{user.pk}", compress=True)


def carried(user, token):
    try:
        return signing.loads(token, salt=f"{SALT}:{user.pk}", max_age=CARRY_MAX_AGE)
    except signing.BadSignature:
        return None


@admin.register(ContextMeasure)
class ContextMeasureAdmin(RegisterAdmin):
    list_display = ["code", "name_nl", "unit", "direction", "aggregation", "source_kind"]
    list_filter = ["source_kind", "aggregation", "unit"]
    search_fields = ["code", "name_nl", "name_en", "cbs_variable"]
    fieldsets = [
        (None, {"fields": ["code", "name_nl", "name_en", "definition", "position"]}),
        (_("Figures"), {"fields": ["unit", "decimals", "direction", "aggregation", "classes"]}),
        (
            _("Source"),
            {
                "fields": [
                    "source_kind",
                    "source",
                    "cbs_variable",
                    "leefbaarometer_column",
                    "licence",
                ]
            },
        ),
    ]


@admin.register(ContextValue)
class ContextValueAdmin(RegisterAdmin):
    """Figures come in through the import (or are worked out from the neighbourhoods):
    read here, never typed."""

    change_list_template = "admin/monitor/contextvalue/change_list.html"
    list_display = ["measure", "geo_level", "geo_code", "year", "value", "status", "method"]
    list_filter = ["measure", "geo_level", "year", "status", "method"]
    list_select_related = ["measure"]
    search_fields = ["geo_code"]
    ordering = ["measure_id", "geo_level", "geo_code", "year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_import": access.may_import_figures(request.user),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="monitor_contextvalue_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a file of figures: preview what changes, then confirm."""
        if not access.may_import_figures(request.user):
            raise PermissionDenied
        result, refusal, confirm = None, "", ""
        form = ContextImportForm()
        if request.method == "POST":
            length = request.META.get("CONTENT_LENGTH") or "0"
            if length.isdigit() and int(length) > imports.LIMITS.file_bytes + 64 * 1024:
                refusal = _("The file is larger than %(max)d MB.") % {
                    "max": imports.LIMITS.file_bytes // 2**20
                }
            else:
                form = ContextImportForm(request.POST, request.FILES)
            if not refusal and form.is_valid():
                options = {
                    key: form.cleaned_data[key]
                    for key in ("format", "year", "source", "provisional")
                }
                upload, name, expected = form.cleaned_data["file"], "", ""
                if upload is not None:
                    name = upload.name
                else:
                    payload = carried(request.user, form.cleaned_data["carried"])
                    if payload is None:
                        refusal = _("The preview has expired: upload the file again.")
                    else:
                        upload = io.BytesIO(base64.b64decode(payload["file"]))
                        name, options, expected = (
                            payload["name"],
                            payload["options"],
                            payload["plan"],
                        )
                if upload is not None:
                    dry_run = form.cleaned_data["preview"] and not expected
                    try:
                        result = imports.import_context(
                            user=request.user,
                            upload=upload,
                            file_name=name,
                            fmt=options["format"],
                            year=options["year"],
                            source=options["source"] or "",
                            provisional=options["provisional"],
                            dry_run=dry_run,
                            expected=expected,
                        )
                    except imports.ImportRefused as error:
                        refusal = error.message
                    else:
                        if result.ok and not dry_run:
                            self.message_user(
                                request,
                                _(
                                    "Imported: %(created)d values created, %(updated)d changed, "
                                    "%(unchanged)d unchanged, %(missing)d cells missing."
                                )
                                % result.counts(),
                                messages.SUCCESS,
                            )
                            return HttpResponseRedirect(
                                reverse("admin:monitor_contextvalue_changelist")
                            )
                        if result.ok:
                            upload.seek(0)
                            confirm = carry(
                                request.user, upload.read(), name, options, result.fingerprint()
                            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import context figures"),
            "opts": self.opts,
            "form": form,
            "result": result,
            "counts": result.counts() if result else {},
            "problems": result.problems if result else [],
            "refusal": refusal,
            "confirm": confirm,
        }
        return TemplateResponse(request, "admin/monitor/contextvalue/import.html", context)


@admin.register(AreaGoal)
class AreaGoalAdmin(RegisterAdmin):
    list_display = [
        "area",
        "measure",
        "baseline_year",
        "target_year",
        "target_value",
        "target_reference",
    ]
    list_filter = ["measure", "target_year", "area"]
    list_select_related = ["area", "measure"]
    search_fields = ["area__name", "measure__name_nl"]
    autocomplete_fields = ["area"]
    fields = [
        "area",
        "measure",
        ("baseline_year", "baseline_value"),
        ("target_year", "target_value", "target_reference"),
        "note",
    ]


@admin.register(ContextImport)
class ContextImportAdmin(ScopedModelAdmin):
    list_display = [
        "created_at",
        "file_name",
        "format",
        "user",
        "created",
        "updated",
        "unchanged",
        "missing",
    ]
    list_filter = ["format"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in ContextImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
