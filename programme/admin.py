from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Programme, ReportingPeriod, Theme, Track


class RegisterAdmin(SimpleHistoryAdmin):
    """Base for every domain admin: field history and a sensible page size."""

    list_per_page = 50
    show_full_result_count = False


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0
    fields = ["number", "name", "description"]


@admin.register(Programme)
class ProgrammeAdmin(RegisterAdmin):
    list_display = ["name", "code", "start_year", "end_year", "predecessor"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["predecessor"]
    inlines = [TrackInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "description"]}),
        (_("Period"), {"fields": ["start_year", "end_year", "predecessor"]}),
        (_("Sources"), {"fields": ["sources"]}),
    ]


@admin.register(Track)
class TrackAdmin(RegisterAdmin):
    list_display = ["__str__", "name", "programme", "number"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    search_fields = ["name", "programme__name", "programme__code"]
    autocomplete_fields = ["programme"]


@admin.register(Theme)
class ThemeAdmin(RegisterAdmin):
    list_display = ["name_nl", "name_en", "code"]
    search_fields = ["name_nl", "name_en", "code"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(RegisterAdmin):
    list_display = ["label", "programme", "deadline", "status"]
    list_filter = ["programme", "status", "year"]
    list_select_related = ["programme"]
    search_fields = ["year", "programme__code"]
    autocomplete_fields = ["programme"]
    fields = ["programme", "year", "quarter", "deadline", "status"]
