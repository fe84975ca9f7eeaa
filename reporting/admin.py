from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts import access
from core.admin import RegisterAdmin, ScopedModelAdmin, StackedInline, TabularInline, admin_path
from core.counting import EstimatedCountPaginator
from programme.models import ReportingPeriod

from . import admin_views, services
from .models import (
    AreaReport,
    Escalation,
    ExportLog,
    IndicatorValue,
    ProgressUpdate,
    QuarterTransition,
    ReportTransition,
)


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
            admin_path(self, "<path:object_id>/step/<str:step>/", admin_views.report_step, "step"),
            admin_path(self, "<path:object_id>/template/", admin_views.report_template, "template"),
            admin_path(self, "<path:object_id>/import/", admin_views.report_import, "import"),
            admin_path(
                self,
                "<path:object_id>/import/<int:job_id>/",
                admin_views.report_import_job,
                "import_job",
            ),
            admin_path(
                self, "<path:object_id>/add-updates/", admin_views.report_add_updates, "add_updates"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "report_steps": admin_views.report_steps(report=report, user=request.user),
            "without_update": admin_views.without_update(report=report, user=request.user),
        }
        return super().change_view(request, object_id, form_url, extra_context)


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
    list_select_related = ["report__area", "report__period", "addressed_to"]
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
        # "reports in" counts only the reports of the areas the user sees.
        scope = access.scope_of(request.user)
        seen = Q() if scope is None else Q(reports__area_id__in=scope)
        return (
            super()
            .get_queryset(request)
            .annotate(
                _submitted=Count(
                    "reports", filter=seen & Q(reports__status__in=AreaReport.SUBMITTED)
                ),
                _reports=Count("reports", filter=seen),
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
            admin_path(
                self, "<path:object_id>/overview/", admin_views.quarter_overview, "overview"
            ),
            admin_path(self, "<path:object_id>/step/<str:step>/", admin_views.quarter_step, "step"),
            admin_path(
                self, "<path:object_id>/export/<str:fmt>/", admin_views.quarter_export, "export"
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        period = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "quarter_steps": admin_views.quarter_steps(period=period, user=request.user),
        }
        return super().change_view(request, object_id, form_url, extra_context)


class TransitionAdmin(ScopedModelAdmin):
    """The workflow's own record: read-only for everyone."""

    list_display = ["__str__", "actor", "at", "from_status", "to_status"]
    list_filter = ["to_status"]
    readonly_fields = ["actor", "at", "from_status", "to_status", "comment"]


@admin.register(ExportLog)
class ExportLogAdmin(ScopedModelAdmin):
    """Every export: who, what, when. Read-only."""

    list_display = ["at", "user", "period", "area", "kind", "format", "via"]
    list_filter = ["kind", "format", "via"]
    list_select_related = ["user", "period__programme", "area"]
    search_fields = ["user__email"]
    readonly_fields = ["at", "user", "period", "area", "kind", "format", "via"]

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
