import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from areas.models import Area, Partner
from core.jobs import Job, job_file_path, private_storage
from core.money import money_validators
from core.protection import ProtectedLinksMixin
from core.scoping import ScopedQuerySet
from core.versioning import VersionedModel
from programme.models import Theme, Track

NO_RESIDENT_DATA = _("About the work, never about individual residents: no names or case details.")


def new_intervention_code():
    return "IV-" + secrets.token_hex(4).upper()


class TargetGroup(ProtectedLinksMixin, models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    protected_relations = ["interventions"]

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EvidenceLevel(models.TextChoices):
    """The recognition levels of the Dutch databases of effective interventions
    (Erkenningscommissie Interventies), in rising order of evidence."""

    NOT_ASSESSED = "not_assessed", _("not assessed")
    WELL_DESCRIBED = "well_described", _("well described")
    WELL_FOUNDED = "well_founded", _("well founded")
    EFFECTIVE_FIRST = "effective_first", _("effective according to first indications")
    EFFECTIVE_GOOD = "effective_good", _("effective according to good indications")
    EFFECTIVE_STRONG = "effective_strong", _("effective according to strong indications")


class Intervention(VersionedModel):
    """A piece of work in an area, or programme-wide when it has no area (spoor 2
    knowledge work). Stopping one is a status, never a delete."""

    class Status(models.TextChoices):
        IDEA = "idea", _("idea")
        PREPARING = "preparing", _("preparing")
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("completed")
        STOPPED = "stopped", _("stopped")

    EvidenceLevel = EvidenceLevel

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        default=new_intervention_code,
        help_text=_("A stable reference, used in imports and exports."),
    )
    title = models.CharField(_("title"), max_length=200)
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="interventions"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="interventions",
        null=True,
        blank=True,
        help_text=_("Leave empty for programme-wide work."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IDEA
    )
    description = models.TextField(_("description"), blank=True, help_text=NO_RESIDENT_DATA)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="interventions")
    lead_partner = models.ForeignKey(
        Partner,
        verbose_name=_("lead partner"),
        on_delete=models.PROTECT,
        related_name="led_interventions",
        null=True,
        blank=True,
    )
    partners = models.ManyToManyField(
        Partner,
        verbose_name=_("other partners"),
        related_name="interventions",
        blank=True,
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="interventions", blank=True
    )
    evidence_level = models.CharField(
        _("evidence level"),
        max_length=20,
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.NOT_ASSESSED,
        help_text=_("The recognition level of the approach, mainly for spoor 2 pilots."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        m2m_fields=[themes, partners, target_groups], excluded_fields=["version"]
    )

    objects = ScopedQuerySet.as_manager()
    area_path = "area"

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="intervention_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # Lists are ordered by title (and id): page through them without sorting all.
            models.Index(fields=["title", "id"], name="intervention_title_idx"),
            models.Index(fields=["status", "title", "id"], name="intervention_status_title_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.code})"

    @property
    def is_programme_wide(self):
        return self.area_id is None

    def clean(self):
        super().clean()
        errors = {}
        if self.area_id and self.track_id:
            # .all(): the area's few tracks, or those an import prefetched for every row.
            if self.track_id not in {track.pk for track in self.area.tracks.all()}:
                errors["track"] = _("The area does not take part in this track.")
        if self.status in (self.Status.RUNNING, self.Status.COMPLETED) and not self.start_date:
            errors["start_date"] = _("A running or completed intervention has a start date.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def validate_themes(themes):
        """Themes are many-to-many, so the rule 'one or more' is checked here and called
        by every form and serializer that sets them."""
        if not themes:
            raise ValidationError(_("Choose at least one theme."), code="themes_required")


class FundingLine(models.Model):
    """Money committed to an intervention by one source."""

    class Source(models.TextChoices):
        STATE = "state", _("state (ministry)")
        MUNICIPALITY = "municipality", _("municipality")
        PROVINCE = "province", _("province")
        HOUSING = "housing", _("housing corporation")
        EU = "eu", _("European Union")
        PRIVATE = "private", _("private and charitable")
        OTHER = "other", _("other")

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="funding_lines",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    funder = models.ForeignKey(
        Partner,
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="funding_lines",
        null=True,
        blank=True,
        help_text=_(
            "The organisation that pays, e.g. a housing corporation; for state money a "
            "partner of the kind ministry."
        ),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Leave empty for a multi-year amount.")
    )
    amount = models.DecimalField(
        _("amount committed (€)"), max_digits=14, decimal_places=2, validators=money_validators
    )
    note = models.CharField(_("note"), max_length=250, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "intervention__area"

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["intervention", "source", "year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()}: {self.amount}"

    def clean(self):
        super().clean()
        # The state's money comes from a ministry, and a ministry's money is the state's.
        from_ministry = bool(self.funder_id) and self.funder.ministry_id is not None
        if self.source == self.Source.STATE and self.funder_id and not from_ministry:
            raise ValidationError(
                {
                    "funder": _(
                        "The funder of state money is a ministry: choose a partner of the "
                        "kind ministry, or leave the funder empty."
                    )
                }
            )
        if from_ministry and self.source != self.Source.STATE:
            raise ValidationError(
                {
                    "source": _(
                        "Money from a ministry is state money: choose the source 'state (ministry)'."
                    )
                }
            )


class Indicator(models.Model):
    """What an intervention measures, with its baseline and target."""

    class Unit(models.TextChoices):
        NUMBER = "number", pgettext_lazy("indicator unit", "number")
        PERCENTAGE = "percentage", _("percentage")

    class Direction(models.TextChoices):
        UP = "up", _("higher is better")
        DOWN = "down", _("lower is better")

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices, default=Unit.NUMBER)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "intervention__area"

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["intervention", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "name"],
                name="indicator_unique_name_per_intervention",
                violation_error_message=_(
                    "This intervention already has an indicator with this name."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(unit="percentage")
                | (
                    (
                        Q(baseline_value__isnull=True)
                        | Q(baseline_value__gte=0, baseline_value__lte=100)
                    )
                    & (Q(target_value__isnull=True) | Q(target_value__gte=0, target_value__lte=100))
                ),
                name="indicator_percentage_between_0_and_100",
                violation_error_message=_("A percentage lies between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(target_year__isnull=True)
                | Q(baseline_year__isnull=True)
                | Q(target_year__gte=F("baseline_year")),
                name="indicator_target_not_before_baseline",
                violation_error_message=_("The target year cannot be before the baseline year."),
            ),
        ]

    def __str__(self):
        return self.name


class KnowledgeItem(models.Model):
    """Spoor 2's knowledge work: a study or a lesson learned about what works, with the
    interventions and areas it is about. Without areas it is programme-wide knowledge."""

    class Kind(models.TextChoices):
        STUDY = "study", _("study")
        LESSON = "lesson", _("lesson learned")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STUDY)
    summary = models.TextField(_("summary"), blank=True, help_text=NO_RESIDENT_DATA)
    evidence_level = models.CharField(
        _("evidence level"),
        max_length=20,
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.NOT_ASSESSED,
        help_text=_("How well the approach it is about is proven (Erkenningscommissie)."),
    )
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("Who published it, and where it can be read (a link or a reference)."),
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    interventions = models.ManyToManyField(
        Intervention,
        verbose_name=_("interventions"),
        related_name="knowledge_items",
        blank=True,
    )
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas"), related_name="knowledge_items", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[interventions, areas])

    objects = ScopedQuerySet.as_manager()
    area_path = "areas"

    class Meta:
        verbose_name = _("knowledge item")
        verbose_name_plural = _("knowledge items")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title

    @staticmethod
    def validate_links(areas, interventions):
        """An item about an area's intervention is about that area too, so that whoever
        sees the intervention's area sees the item. Many-to-many links are set after
        the row is saved, so every form and serializer that sets them calls this."""
        area_ids = {area.pk for area in areas}
        outside = [work for work in interventions if work.area_id and work.area_id not in area_ids]
        if outside:
            raise ValidationError(
                _("Add the area of every linked intervention: %(titles)s.")
                % {"titles": ", ".join(work.title for work in outside)},
                code="intervention_outside_areas",
            )


class InterventionImportJob(Job):
    """A large intervention sheet, checked (a preview) or applied by a worker
    (interventions/imports.py), with its plan or its problems kept for the result page."""

    upload = models.FileField(
        _("uploaded file"), storage=private_storage, upload_to=job_file_path, max_length=200
    )
    dry_run = models.BooleanField(_("preview only"), default=True)
    expected = models.CharField(
        _("previewed plan"),
        max_length=64,
        blank=True,
        help_text=_("Applied only while the plan is still the one previewed."),
    )
    result = models.JSONField(_("result"), default=dict, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta(Job.Meta):
        verbose_name = _("intervention import")
        verbose_name_plural = _("intervention imports")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M}"

    def run(self):
        from .imports import run_intervention_import

        run_intervention_import(self)
