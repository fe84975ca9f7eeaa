"""What changes in the areas: context figures per place and year, and goals per area.

A measure is reference data with its source (a CBS table and variable, a Leefbaarometer
edition, or another named source). A value belongs to one place: a CBS buurt or wijk
(with the year of the CBS classification its code comes from), a programme area, a
municipality (GM code) or the Netherlands. Values of an area follow the area's scope;
municipal, national and neighbourhood values are public reference figures that every
role sees (``area`` is empty for them, which access reads as programme-wide).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area
from core.scoping import ScopedQuerySet
from core.versioning import VersionedModel

COUNTRY_CODE = "NL"
GEO_CODE_PATTERNS = {
    "buurt": r"^BU[0-9]{8}$",
    "wijk": r"^WK[0-9]{6}$",
    "municipality": r"^GM[0-9]{4}$",
    "country": r"^NL$",
}
# The G4: Amsterdam, Rotterdam, 's-Gravenhage and Utrecht (CBS municipality codes).
G4 = ("GM0363", "GM0599", "GM0518", "GM0344")
YEARS = Q(year__gte=1990, year__lte=2100)


class ContextMeasure(models.Model):
    """A figure that says how an area is doing, with where it comes from."""

    class Unit(models.TextChoices):
        COUNT = "count", _("number")
        PERCENT = "percent", _("percent")
        SCORE = "score", _("score")
        PER_1000 = "per_1000", _("per 1,000 inhabitants")

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher", _("higher is better")
        LOWER_IS_BETTER = "lower", _("lower is better")
        NEUTRAL = "neutral", _("neither (context)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum of the neighbourhoods")
        POPULATION_MEAN = "population_mean", _("mean of the neighbourhoods weighted by population")
        NONE = "none", _("not added up: only imported area values")

    class SourceKind(models.TextChoices):
        CBS = "cbs", _("CBS StatLine")
        LEEFBAAROMETER = "leefbaarometer", _("Leefbaarometer")
        OTHER = "other", _("other source (tidy CSV)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField(
        _("decimals shown"),
        default=1,
        help_text=_("Two figures that agree to this many decimals count as the same."),
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    aggregation = models.CharField(
        _("from neighbourhoods to an area"), max_length=20, choices=Aggregation.choices
    )
    source_kind = models.CharField(_("kind of source"), max_length=20, choices=SourceKind.choices)
    source = models.TextField(
        _("source"), help_text=_("The table, edition or report the figures come from.")
    )
    cbs_variable = models.CharField(
        _("CBS variable"),
        max_length=80,
        blank=True,
        help_text=_(
            "The key of the variable in CBS open data without its numbered suffix, which "
            "differs per table (e.g. AantalInwoners for AantalInwoners_5)."
        ),
    )
    leefbaarometer_column = models.CharField(_("Leefbaarometer column"), max_length=20, blank=True)
    licence = models.CharField(_("licence"), max_length=120)
    classes = models.JSONField(
        _("classes"),
        default=list,
        blank=True,
        help_text=_("The named classes of a score, lowest first (the Leefbaarometer's nine)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("context measure")
        verbose_name_plural = _("context measures")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decimals__lte=4),
                name="measure_at_most_four_decimals",
                violation_error_message=_("At most 4 decimals."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl

    def rounded(self, value):
        return None if value is None else round(Decimal(value), self.decimals)


class ContextImport(models.Model):
    """One imported file: who, when, what, and what it changed."""

    class Format(models.TextChoices):
        CBS_ODATA = "cbs-odata", _("CBS StatLine OData (JSON)")
        CBS_CSV = "cbs-csv", _("CBS StatLine CSV")
        LEEFBAAROMETER = "leefbaarometer", _("Leefbaarometer open data (CSV)")
        TIDY = "tidy", _("tidy CSV (geo_code, year, measure, value)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="context_imports",
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    source = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created = models.PositiveIntegerField(_("values created"), default=0)
    updated = models.PositiveIntegerField(_("values changed"), default=0)
    unchanged = models.PositiveIntegerField(_("values unchanged"), default=0)
    missing = models.PositiveIntegerField(_("cells missing"), default=0)

    objects = ScopedQuerySet.as_manager()
    owner_path = "user"  # a log of the coordinators' work: others see only their own

    class Meta:
        verbose_name = _("context import")
        verbose_name_plural = _("context imports")
        ordering = ["-created_at"]
        # The log is written by the import itself, never added by hand.
        default_permissions = ("view",)
        permissions = [("import_figures", _("Can import context figures"))]

    def __str__(self):
        return f"{self.file_name} ({self.get_format_display()})"


class ContextValue(models.Model):
    """One figure of one measure for one place and year."""

    class GeoLevel(models.TextChoices):
        BUURT = "buurt", _("buurt")
        WIJK = "wijk", _("wijk")
        AREA = "area", _("area")
        MUNICIPALITY = "municipality", _("municipality")
        COUNTRY = "country", _("the Netherlands")

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("provisional")
        FINAL = "final", _("final")

    class Method(models.TextChoices):
        IMPORTED = "imported", _("imported")
        AGGREGATED = "aggregated", _("worked out from the neighbourhoods")
        DEMO = "demo", _("demo (not a real figure)")

    measure = models.ForeignKey(
        ContextMeasure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="values"
    )
    geo_level = models.CharField(_("kind of place"), max_length=15, choices=GeoLevel.choices)
    geo_code = models.CharField(
        _("place code"),
        max_length=60,
        help_text=_("A CBS code (BU…, WK…, GM…), NL, or the area's own code."),
    )
    geo_year = models.PositiveSmallIntegerField(
        _("classification year"),
        null=True,
        blank=True,
        help_text=_("The year of the CBS wijk and buurt classification the code comes from."),
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="context_values",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.FINAL
    )
    method = models.CharField(_("obtained"), max_length=12, choices=Method.choices)
    source_import = models.ForeignKey(
        ContextImport,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="values",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"  # empty for public reference figures: visible to every role

    class Meta:
        verbose_name = _("context value")
        verbose_name_plural = _("context values")
        ordering = ["measure__position", "geo_level", "geo_code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "geo_level", "geo_code", "year"],
                name="context_value_unique_per_place_and_year",
                violation_error_message=_("This place already has a value for this year."),
            ),
            models.CheckConstraint(
                condition=Q(geo_level="area", area__isnull=False)
                | (~Q(geo_level="area") & Q(area__isnull=True)),
                name="context_value_area_only_for_areas",
                violation_error_message=_("Only an area's value names an area."),
            ),
            models.CheckConstraint(
                condition=Q(geo_level__in=["buurt", "wijk"], geo_year__isnull=False)
                | ~Q(geo_level__in=["buurt", "wijk"]),
                name="context_value_neighbourhood_has_classification_year",
                violation_error_message=_("Give the year of the CBS classification."),
            ),
            models.CheckConstraint(
                condition=YEARS,
                name="context_value_year_plausible",
                violation_error_message=_("The year must be between 1990 and 2100."),
            ),
        ]
        indexes = [
            # The monitor's reads: a measure over places of one level, by year.
            models.Index(fields=["measure", "geo_level", "year"], name="context_value_level_year"),
            models.Index(fields=["area", "measure", "year"], name="context_value_area_year"),
        ]

    def __str__(self):
        return f"{self.measure.code} {self.geo_code} {self.year}: {self.value}"

    def clean(self):
        pattern = GEO_CODE_PATTERNS.get(self.geo_level)
        if pattern and not re.match(pattern, self.geo_code or ""):
            raise ValidationError({"geo_code": _("This is not a code of this kind of place.")})
        if self.geo_level == self.GeoLevel.AREA and self.area_id:
            self.geo_code = self.area.code


class AreaGoal(VersionedModel):
    """Where an area wants to be on one measure: from a baseline to an ambition, which is
    a value or the level of a reference place (e.g. the G4 average by 2030)."""

    class Reference(models.TextChoices):
        VALUE = "", _("a value")
        COUNTRY = "NL", _("the level of the Netherlands")
        G4 = "G4", _("the level of the G4 (Amsterdam, Rotterdam, The Hague, Utrecht)")
        MUNICIPALITY = "municipality", _("the level of the area's municipality")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="goals"
    )
    measure = models.ForeignKey(
        ContextMeasure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="goals"
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), default=2018, help_text=_("The NPLV's baseline is 2018.")
    )
    baseline_value = models.DecimalField(
        _("baseline value"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Leave empty to take the area's figure of the baseline year."),
    )
    target_year = models.PositiveSmallIntegerField(_("target year"))
    target_value = models.DecimalField(
        _("target value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_reference = models.CharField(
        _("or reach the level of"),
        max_length=15,
        choices=Reference.choices,
        default=Reference.VALUE,
        blank=True,
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Where the goal was agreed."))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"

    class Meta:
        verbose_name = _("area goal")
        verbose_name_plural = _("area goals")
        ordering = ["area__name", "measure__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "measure"],
                name="area_goal_unique_per_measure",
                violation_error_message=_("This area already has a goal for this measure."),
            ),
            models.CheckConstraint(
                condition=Q(target_year__gt=F("baseline_year")),
                name="area_goal_target_after_baseline",
                violation_error_message=_("The target year must come after the baseline year."),
            ),
            models.CheckConstraint(
                condition=(Q(target_reference="") & Q(target_value__isnull=False))
                | (~Q(target_reference="") & Q(target_value__isnull=True)),
                name="area_goal_value_or_reference",
                violation_error_message=_(
                    "Give either a target value or a place whose level to reach, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__gte=1990, target_year__lte=2100),
                name="area_goal_years_plausible",
                violation_error_message=_("Years lie between 1990 and 2100."),
            ),
        ]

    def __str__(self):
        return f"{self.area} – {self.measure}"
