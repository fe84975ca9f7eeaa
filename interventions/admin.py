from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programme.admin import RegisterAdmin, TabularInline

from .models import FundingLine, Indicator, Intervention, TargetGroup


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


@admin.register(TargetGroup)
class TargetGroupAdmin(RegisterAdmin):
    search_fields = ["name"]


@admin.register(FundingLine)
class FundingLineAdmin(RegisterAdmin):
    list_display = ["intervention", "source", "funder", "year", "amount"]
    list_filter = ["source", "year"]
    list_select_related = ["intervention", "funder"]
    search_fields = ["intervention__title", "intervention__code", "funder__name", "note"]
    autocomplete_fields = ["intervention", "funder"]


@admin.register(Indicator)
class IndicatorAdmin(RegisterAdmin):
    list_display = ["name", "intervention", "unit", "baseline_value", "target_value"]
    list_filter = ["unit", "direction"]
    list_select_related = ["intervention"]
    search_fields = ["name", "intervention__title", "intervention__code"]
    autocomplete_fields = ["intervention"]
