import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.protection import ProtectedLinksMixin
from core.scoping import ScopedQuerySet


class Programme(models.Model):
    """The programme itself; a successor programme is a new row pointing back."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("predecessor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
    )
    description = models.TextField(_("description"), blank=True)
    sources = models.TextField(
        _("sources"), blank=True, help_text=_("Where these facts come from.")
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("start_year")),
                name="programme_end_not_before_start",
                violation_error_message=_("The end year cannot be before the start year."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def horizon(self):
        """The years the programme runs, e.g. "2022–2042", or "2022–" while open-ended."""
        return f"{self.start_year}–{self.end_year or ''}"

    def clean(self):
        super().clean()
        # The check constraint says the same; here the error lands on the field.
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year cannot be before the start year.")})


class Track(ProtectedLinksMixin, models.Model):
    """A strand of a programme: the 2020 programme's tracks (spoor 1 areas, spoor 2
    pilots and knowledge work) or the NPLV's lines of action (actielijnen)."""

    class Kind(models.TextChoices):
        SPOOR = "spoor", _("track")
        ACTIELIJN = "actielijn", _("line of action")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="tracks"
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.SPOOR,
        help_text=_("The 2020 programme has tracks (sporen); the NPLV has lines of action."),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    protected_relations = ["areas"]

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["programme__start_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="track_unique_number_per_programme",
                violation_error_message=_("This programme already has a track with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="track_number_positive",
                violation_error_message=_("The track number starts at 1."),
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.ACTIELIJN:
            text = _("%(programme)s, line of action %(number)s")
        else:
            text = _("%(programme)s, track %(number)s")
        return text % {"programme": self.programme.code, "number": self.number}

    @property
    def label(self):
        """As a person names it: "line of action 2. Betere woningen …"."""
        return f"{self.get_kind_display()} {self.number}. {self.name}"


class Theme(ProtectedLinksMixin, models.Model):
    """A recurring challenge (opgave): education, work, safety, housing, health, youth …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120, unique=True)
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    protected_relations = ["interventions"]

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name_nl"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl


class ReportingPeriod(models.Model):
    """A quarter of a programme in which areas report; once closed, nothing in it changes."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="quarters"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)]
    )
    deadline = models.DateField(
        _("deadline"), help_text=_("The date by which areas submit their report.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, editable=False
    )
    deadline_reminder_sent_at = models.DateTimeField(
        _("deadline reminder sent at"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarter")
        verbose_name_plural = _("quarters")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "quarter"],
                name="quarter_unique_per_programme",
                violation_error_message=_("This programme already has this quarter."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="quarter_between_1_and_4",
                violation_error_message=_("A quarter is 1, 2, 3 or 4."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="quarter_year_plausible",
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
        ]

    def __str__(self):
        return f"{self.label} ({self.programme.code})"

    @property
    def label(self):
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self):
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self):
        if self.quarter == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.quarter + 1, 1) - datetime.timedelta(days=1)

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    def previous(self):
        """The programme's quarter before this one, or None."""
        return (
            type(self)
            .objects.filter(programme_id=self.programme_id)
            .filter(Q(year__lt=self.year) | Q(year=self.year, quarter__lt=self.quarter))
            .order_by("-year", "-quarter")
            .first()
        )

    def clean(self):
        if self.deadline and self.year and self.quarter in range(1, 5):
            if self.deadline < self.first_day:
                raise ValidationError(
                    {"deadline": _("The deadline cannot be before the quarter starts.")}
                )


# --- Ministries (issue 17): the Rijk's ministries as data, not a fixed list in code. ---


class Ministry(models.Model):
    """A ministry of the Rijk that escalations are addressed to. Data, so that a new
    cabinet's ministries (VRO leads the NPLV since 2024) need no code change."""

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        help_text=_("A short stable code that the API and exports use, e.g. BZK."),
    )
    abbreviation = models.CharField(_("abbreviation"), max_length=20)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, unique=True)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Only active ministries can be chosen for new records."),
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ministry")
        verbose_name_plural = _("ministries")
        ordering = ["ordering", "code"]

    def __str__(self):
        return f"{self.name} ({self.abbreviation})"

    @property
    def name(self):
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl

    def refuse_if_inactive(self, field, *, newly_chosen):
        """A ministry no longer active stays on the rows that name it, but takes no new
        ones. ``newly_chosen()`` says whether ``field`` links it anew; it is asked only
        for an inactive ministry, as it may need a query."""
        if not self.active and newly_chosen():
            raise ValidationError(
                {field: _("This ministry is no longer active: choose another one.")}
            )
