from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import RegisterAdmin, StackedInline, TabularInline

from .models import (
    Area,
    AreaDocument,
    AreaPartner,
    AreaStudy,
    GovernanceArrangement,
    Municipality,
    Neighbourhood,
    Partner,
    RegioDeal,
)


@admin.register(Municipality)
class MunicipalityAdmin(RegisterAdmin):
    list_display = ["name", "cbs_code", "province"]
    list_filter = ["province"]
    search_fields = ["name", "cbs_code"]


class NeighbourhoodInline(TabularInline):
    model = Neighbourhood
    fields = ["name", "kind", "cbs_code", "cbs_year"]


class AreaPartnerInline(TabularInline):
    model = AreaPartner
    fields = ["partner", "role", "role_description", "start_date", "end_date"]
    autocomplete_fields = ["partner"]


class GovernanceInline(StackedInline):
    model = GovernanceArrangement
    fields = [("kind", "name"), "regio_deal", "chair", ("start_date", "end_date"), "description"]
    autocomplete_fields = ["regio_deal"]
    show_change_link = True


class AreaStudyInline(StackedInline):
    model = AreaStudy
    fields = [("kind", "status", "date"), "summary", "document"]
    max_num = len(AreaStudy.Kind.choices)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        area_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "document" and field is not None:
            # Only this area's documents (the model refuses others as well).
            field.queryset = (
                field.queryset.filter(area_id=area_id) if area_id else field.queryset.none()
            )
        return field


@admin.register(Area)
class AreaAdmin(RegisterAdmin):
    list_display = ["name", "municipality", "province", "population_thousands"]
    list_filter = ["tracks__programme", "tracks", "municipality__province"]
    list_select_related = ["municipality"]
    search_fields = ["name", "aliases", "code", "municipality__name", "municipality__cbs_code"]
    autocomplete_fields = ["municipality"]
    filter_horizontal = ["tracks"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [NeighbourhoodInline, AreaPartnerInline, GovernanceInline, AreaStudyInline]
    fieldsets = [
        (None, {"fields": ["name", "aliases", "code", "municipality", "tracks"]}),
        (
            _("Context"),
            {"fields": ["woondeal_region", ("population_thousands", "population_year")]},
        ),
        (
            _("Contact at the Rijk"),
            {"fields": ["rijk_contact_name", "rijk_contact_ministry", "rijk_contact_email"]},
        ),
        (_("Description and sources"), {"fields": ["description", "sources"]}),
    ]

    @admin.display(description=_("province"), ordering="municipality__province")
    def province(self, area):
        return area.municipality.get_province_display()


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(RegisterAdmin):
    list_display = ["name", "area", "kind", "cbs_code", "cbs_year"]
    list_filter = ["kind", "area"]
    list_select_related = ["area"]
    search_fields = ["name", "cbs_code", "area__name", "area__aliases"]
    autocomplete_fields = ["area"]


@admin.register(Partner)
class PartnerAdmin(RegisterAdmin):
    list_display = ["name", "kind", "ministry", "website"]
    list_filter = ["kind", "ministry"]
    list_select_related = ["ministry"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "ministry", "website"]}),
        (
            _("Contact person"),
            {
                "fields": ["contact_name", "contact_role", "contact_email"],
                "description": _(
                    "The only personal data kept about a partner: a name, a role and an "
                    "e-mail address."
                ),
            },
        ),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "ministry" and field is not None:
            # Active ministries, and the one this partner already names (the model
            # refuses a new link to an inactive one as well).
            offered = Q(active=True)
            partner_id = request.resolver_match.kwargs.get("object_id")
            if partner_id:
                offered |= Q(pk__in=Partner.objects.filter(pk=partner_id).values("ministry_id"))
            field.queryset = field.queryset.filter(offered)
        return field


@admin.register(AreaPartner)
class AreaPartnerAdmin(RegisterAdmin):
    list_display = ["partner", "area", "role", "start_date", "end_date"]
    list_filter = ["role", "area"]
    list_select_related = ["partner", "area"]
    search_fields = ["partner__name", "area__name", "area__aliases", "role_description"]
    autocomplete_fields = ["area", "partner"]


class CofinancingWarningAdmin(RegisterAdmin):
    """Shows the Regio Deal co-financing warning after a save: a warning, not an error."""

    def warn_about_cofinancing(self, request, deal):
        if deal is not None and deal.cofinancing_warning:
            self.message_user(request, deal.cofinancing_warning, messages.WARNING)


@admin.register(RegioDeal)
class RegioDealAdmin(CofinancingWarningAdmin):
    list_display = [
        "name",
        "state_contribution",
        "regional_contribution",
        "start_year",
        "end_year",
        "cofinancing",
    ]
    search_fields = ["name", "areas__name", "areas__aliases"]
    autocomplete_fields = ["areas"]
    fieldsets = [
        (None, {"fields": ["name", "areas", ("start_year", "end_year")]}),
        (_("Money"), {"fields": ["state_contribution", "regional_contribution"]}),
        (_("Sources"), {"fields": ["sources"]}),
    ]

    @admin.display(description=_("co-financing"), boolean=True)
    def cofinancing(self, deal):
        return not deal.cofinancing_warning

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.warn_about_cofinancing(request, form.instance)


@admin.register(GovernanceArrangement)
class GovernanceArrangementAdmin(CofinancingWarningAdmin):
    list_display = ["name", "area", "kind", "chair", "start_date", "end_date"]
    list_filter = ["kind", "area"]
    list_select_related = ["area"]
    search_fields = ["name", "area__name", "area__aliases", "chair"]
    autocomplete_fields = ["area", "regio_deal"]
    fieldsets = [
        (None, {"fields": ["area", "kind", "name", "regio_deal"]}),
        (_("Steering"), {"fields": ["chair", ("start_date", "end_date"), "document_url"]}),
        (_("Agreements"), {"fields": ["description"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.warn_about_cofinancing(request, obj.regio_deal)


@admin.register(AreaDocument)
class AreaDocumentAdmin(RegisterAdmin):
    list_display = ["title", "area", "kind", "uploaded_by", "uploaded_at", "download"]
    list_filter = ["kind", "area"]
    list_select_related = ["area", "uploaded_by"]
    search_fields = ["title", "area__name"]
    autocomplete_fields = ["area"]
    fields = ["area", "kind", "title", "file", "download", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "uploaded_by", "uploaded_at"]

    @admin.display(description=_("download"))
    def download(self, document):
        if not document.pk:
            return "–"
        url = reverse("pages:area-document", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def save_model(self, request, obj, form, change):
        obj.note_upload(request.user)
        super().save_model(request, obj, form, change)
