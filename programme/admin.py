from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import RegisterAdmin, TabularInline

from .models import Ministry, Programme, Theme, Track


class TrackInline(TabularInline):
    model = Track
    fields = ["kind", "number", "name", "description"]


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
    list_display = ["__str__", "name", "programme", "kind", "number"]
    list_filter = ["programme", "kind"]
    search_fields = ["name", "programme__name", "programme__code"]
    autocomplete_fields = ["programme"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("programme")


@admin.register(Theme)
class ThemeAdmin(RegisterAdmin):
    list_display = ["name_nl", "name_en", "code"]
    search_fields = ["name_nl", "name_en", "code"]


@admin.register(Ministry)
class MinistryAdmin(RegisterAdmin):
    list_display = ["code", "abbreviation", "name_nl", "name_en", "active", "ordering"]
    list_filter = ["active"]
    search_fields = ["code", "abbreviation", "name_nl", "name_en"]
