from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.documents import REFUSED, document_path, sniff, validate_document
from core.jobs import private_storage
from core.money import euro, money_validators
from core.protection import ProtectedLinksMixin
from core.scoping import ScopedQuerySet
from programme.models import Ministry, Track

MUNICIPALITY_CODE = r"^GM[0-9]{4}$"
WIJK_CODE = r"^WK[0-9]{6}$"
BUURT_CODE = r"^BU[0-9]{8}$"


class Province(models.TextChoices):
    DRENTHE = "DR", "Drenthe"
    FLEVOLAND = "FL", "Flevoland"
    FRYSLAN = "FR", "Fryslân"
    GELDERLAND = "GE", "Gelderland"
    GRONINGEN = "GR", "Groningen"
    LIMBURG = "LI", "Limburg"
    NOORD_BRABANT = "NB", "Noord-Brabant"
    NOORD_HOLLAND = "NH", "Noord-Holland"
    OVERIJSSEL = "OV", "Overijssel"
    UTRECHT = "UT", "Utrecht"
    ZEELAND = "ZE", "Zeeland"
    ZUID_HOLLAND = "ZH", "Zuid-Holland"


class Municipality(models.Model):
    cbs_code = models.CharField(
        _("CBS code"),
        max_length=6,
        unique=True,
        validators=[
            RegexValidator(MUNICIPALITY_CODE, _("Use GM followed by 4 digits, e.g. GM0363."))
        ],
        help_text=_("The CBS municipality code: GM followed by 4 digits, e.g. GM0363."),
    )
    name = models.CharField(_("name"), max_length=120)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cbs_code__regex=MUNICIPALITY_CODE),
                name="municipality_cbs_code_format",
                violation_error_message=_("Use GM followed by 4 digits, e.g. GM0363."),
            ),
        ]

    def __str__(self):
        return self.name


class Area(ProtectedLinksMixin, models.Model):
    """A piece of geography (a municipality and its neighbourhoods) that takes part in
    programmes through their tracks, so it can outlive one programme."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_(
            "Other names the area goes by in letters and agreements, one per line; "
            "searching finds the area by these too."
        ),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="areas",
    )
    tracks = models.ManyToManyField(
        Track,
        verbose_name=_("tracks"),
        related_name="areas",
        help_text=_("The programme tracks this area takes part in."),
    )
    woondeal_region = models.CharField(_("woondeal region"), max_length=120, blank=True)
    population_thousands = models.PositiveIntegerField(
        _("population (thousands)"), null=True, blank=True
    )
    population_year = models.PositiveSmallIntegerField(
        _("population as of (1 January of year)"), null=True, blank=True
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("About the area, never about individual residents."),
    )
    sources = models.TextField(_("sources"), blank=True)
    # The area's fixed contact at the Rijk (the manifest asks for one per area).
    rijk_contact_name = models.CharField(_("Rijk contact: name"), max_length=120, blank=True)
    rijk_contact_ministry = models.ForeignKey(
        Ministry,
        verbose_name=_("Rijk contact: ministry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_for_areas",
    )
    rijk_contact_email = models.EmailField(_("Rijk contact: e-mail"), blank=True)
    history = HistoricalRecords(m2m_fields=[tracks])

    objects = ScopedQuerySet.as_manager()
    protected_relations = ["regio_deals"]
    area_path = ""
    # Where an area lies, which programmes it is in and who its contact at the Rijk is,
    # is the ministry's call.
    coordinator_fields = (
        "code",
        "municipality",
        "tracks",
        "rijk_contact_name",
        "rijk_contact_ministry",
        "rijk_contact_email",
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(population_thousands__isnull=True) | Q(population_year__isnull=False),
                name="area_population_has_year",
                violation_error_message=_("Give the year the population figure refers to."),
            ),
        ]

    def __str__(self):
        return self.name


class Neighbourhood(models.Model):
    """A wijk or buurt of an area. CBS revises its codes yearly, so a code carries its year."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district (stadsdeel)")
        WIJK = "wijk", _("wijk")
        BUURT = "buurt", _("buurt")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="neighbourhoods"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WIJK)
    cbs_code = models.CharField(
        _("CBS code"),
        max_length=10,
        blank=True,
        help_text=_("WK followed by 6 digits for a wijk, BU followed by 8 digits for a buurt."),
    )
    cbs_year = models.PositiveSmallIntegerField(
        _("CBS code year"),
        null=True,
        blank=True,
        help_text=_("The year of the CBS wijk and buurt map the code comes from."),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"

    class Meta:
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="neighbourhood_unique_name_per_area",
                violation_error_message=_("This area already has a neighbourhood with this name."),
            ),
            models.CheckConstraint(
                condition=Q(cbs_code="")
                | Q(kind="wijk", cbs_code__regex=WIJK_CODE)
                | Q(kind="buurt", cbs_code__regex=BUURT_CODE),
                name="neighbourhood_cbs_code_format",
                violation_error_message=_(
                    "A wijk code is WK followed by 6 digits, a buurt code BU followed by 8 digits."
                ),
            ),
            models.CheckConstraint(
                condition=Q(cbs_code="") | Q(cbs_year__isnull=False),
                name="neighbourhood_cbs_code_has_year",
                violation_error_message=_("Give the year of the CBS code."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.area})"


MINISTRY_MISSING = _("Choose which ministry this partner is.")
MINISTRY_NOT_FOR_KIND = _("Only a partner of the kind ministry names a ministry.")


class Partner(ProtectedLinksMixin, models.Model):
    """An organisation that works in one or more areas. Its contact person is the only
    personal data kept about it."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        MINISTRY = "ministry", _("ministry")
        SCHOOL = "school", _("school or education board")
        POLICE = "police", _("police")
        JUSTICE = "justice", _("public prosecution and justice")
        HOUSING = "housing", _("housing corporation")
        WELFARE = "welfare", _("welfare and care")
        HEALTH = "health", _("health")
        BUSINESS = "business", _("business")
        KNOWLEDGE = "knowledge", _("knowledge institute")
        RESIDENTS = "residents", _("residents' organisation")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ministry = models.ForeignKey(
        Ministry,
        verbose_name=_("ministry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        help_text=_("Which ministry this is; only for a partner of the kind ministry."),
    )
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_role = models.CharField(_("contact person's role"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail address"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    protected_relations = ["interventions"]
    # A shared directory of organisations: everyone sees it; a liaison changes a partner
    # only while it works in their areas alone.
    area_path = "partnerships__area"
    visible_to_all = True

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="ministry") | Q(ministry__isnull=False),
                name="partner_ministry_named",
                violation_error_message=MINISTRY_MISSING,
            ),
            models.CheckConstraint(
                condition=Q(kind="ministry") | Q(ministry__isnull=True),
                name="partner_ministry_only_for_that_kind",
                violation_error_message=MINISTRY_NOT_FOR_KIND,
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # On the field, so forms and the API point at it; the constraints then skip it.
        if self.kind == self.Kind.MINISTRY and not self.ministry_id:
            raise ValidationError({"ministry": MINISTRY_MISSING})
        if self.kind != self.Kind.MINISTRY and self.ministry_id:
            raise ValidationError({"ministry": MINISTRY_NOT_FOR_KIND})
        if self.ministry_id:
            self.ministry.refuse_if_inactive("ministry", newly_chosen=self.ministry_is_new)

    def ministry_is_new(self):
        return not (
            self.pk and Partner.objects.filter(pk=self.pk, ministry_id=self.ministry_id).exists()
        )


class AreaPartner(models.Model):
    """A partner's role in one area (partnerschap)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead")
        STEERING = "steering", _("member of the steering group")
        EXECUTING = "executing", _("executing partner")
        FUNDING = "funding", _("funder")
        KNOWLEDGE = "knowledge", _("knowledge partner")
        OTHER = "other", _("other")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="partnerships"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    role_description = models.CharField(_("role description"), max_length=250, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["area__name", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "partner"],
                name="partnership_unique_per_area",
                violation_error_message=_("This partner is already linked to this area."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="partnership_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} – {self.area}"


class RegioDeal(models.Model):
    """A Regio Deal: state money for one or more areas, which the region is expected to
    match at least euro for euro."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas"), related_name="regio_deals", blank=True
    )
    state_contribution = models.DecimalField(
        _("state contribution (€)"), max_digits=14, decimal_places=2, validators=money_validators
    )
    regional_contribution = models.DecimalField(
        _("regional contribution (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators,
        help_text=_("Municipality and region together; leave empty when not published."),
    )
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    sources = models.TextField(_("sources"), blank=True)
    history = HistoricalRecords(m2m_fields=[areas])

    objects = ScopedQuerySet.as_manager()
    area_path = "areas"

    class Meta:
        verbose_name = _("Regio Deal")
        verbose_name_plural = _("Regio Deals")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state_contribution__gte=0),
                name="regio_deal_state_contribution_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(regional_contribution__isnull=True) | Q(regional_contribution__gte=0),
                name="regio_deal_regional_contribution_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="regio_deal_end_not_before_start",
                violation_error_message=_("The end year cannot be before the start year."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def cofinancing_warning(self):
        """Why the co-financing falls short of the state contribution, or '' when it does not.
        A warning, not an error: deals are negotiated and the figures arrive late."""
        if self.regional_contribution is None:
            return _(
                "The regional contribution is not known; it should at least match %(state)s."
            ) % {"state": euro(self.state_contribution)}
        if self.regional_contribution < self.state_contribution:
            return _(
                "The regional contribution (%(regional)s) is less than the state contribution "
                "(%(state)s); municipalities are expected to at least match it."
            ) % {
                "regional": euro(self.regional_contribution),
                "state": euro(self.state_contribution),
            }
        return ""


class GovernanceArrangement(models.Model):
    """How an area is steered: steering group, covenant, Regio Deal, Woondeal …"""

    class Kind(models.TextChoices):
        STEERING_GROUP = "steering_group", _("steering group")
        PROGRAMME_OFFICE = "programme_office", _("programme office")
        COVENANT = "covenant", _("covenant")
        REGIO_DEAL = "regio_deal", _("Regio Deal")
        WOONDEAL = "woondeal", _("Woondeal")
        OTHER = "other", _("other")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="governance"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    regio_deal = models.ForeignKey(
        RegioDeal,
        verbose_name=_("Regio Deal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrangements",
        help_text=_("Only for an arrangement of the kind Regio Deal."),
    )
    chair = models.CharField(
        _("chair"), max_length=120, blank=True, help_text=_("A role, e.g. 'the mayor'.")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Agreements and members; no names or case details of residents."),
    )
    document_url = models.URLField(_("document"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"
    coordinator_fields = ("regio_deal",)  # Regio Deals are agreed with the Rijk

    class Meta:
        verbose_name = _("governance arrangement")
        verbose_name_plural = _("governance arrangements")
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="governance_unique_name_per_area",
                violation_error_message=_("This area already has an arrangement with this name."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="governance_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(kind="regio_deal") | Q(regio_deal__isnull=True),
                name="governance_regio_deal_only_for_that_kind",
                violation_error_message=_("Only an arrangement of the kind Regio Deal has one."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.area})"

    def clean(self):
        if self.kind == self.Kind.REGIO_DEAL and not self.regio_deal_id:
            raise ValidationError({"regio_deal": _("Choose the Regio Deal of this arrangement.")})
        if self.regio_deal_id and self.area_id:
            if not self.regio_deal.areas.filter(pk=self.area_id).exists():
                raise ValidationError(
                    {"regio_deal": _("This Regio Deal does not cover this area.")}
                )


# --- The area dossier (issue 17): documents, the integrated analysis and the MKBA. ---


class AreaDocument(models.Model):
    """A document of an area's dossier (covenant, analysis, MKBA report …), kept in the
    private storage and handed out only through views that ask accounts/access.py."""

    class Kind(models.TextChoices):
        COVENANT = "covenant", _("covenant")
        ANALYSIS = "analysis", _("integrated area analysis")
        MKBA = "mkba", _("MKBA report")
        PLAN = "plan", _("programme plan")
        DECISION = "decision", _("decision")
        OTHER = "other", _("other")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=document_path,
        max_length=200,
        validators=[validate_document],
        help_text=_("PDF, DOCX, XLSX or ODT, at most 20 MB."),
    )
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"

    class Meta:
        verbose_name = _("area document")
        verbose_name_plural = _("area documents")
        ordering = ["area__name", "kind", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Checked here as well as in full_clean: no code path stores a file unchecked.
        if self.has_new_file:
            validate_document(self.file)
            self.content_type = sniff(self.file)
        if not self.content_type:
            raise ValidationError({"file": REFUSED})
        super().save(*args, **kwargs)

    @property
    def has_new_file(self):
        return bool(self.file) and not self.file._committed

    def note_upload(self, user):
        """Record who uploaded the file about to be saved (a new one or a replacement);
        the history keeps every earlier uploader."""
        if self.has_new_file or self.uploaded_by_id is None:
            self.uploaded_by = user
            self.uploaded_at = timezone.now()


class AreaStudy(models.Model):
    """Where an area stands with its integrated analysis or its ex-ante MKBA (social
    cost-benefit analysis): one of each per area."""

    class Kind(models.TextChoices):
        ANALYSIS = "analysis", _("integrated area analysis")
        MKBA = "mkba", _("ex-ante MKBA")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        UPDATING = "updating", _("being updated")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="studies"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("When it was finished or last updated.")
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("A few lines on the outcome; never names or cases of residents."),
    )
    document = models.ForeignKey(
        AreaDocument,
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"

    class Meta:
        verbose_name = _("area study")
        verbose_name_plural = _("area studies")
        ordering = ["area__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind"],
                name="area_study_unique_kind_per_area",
                violation_error_message=_("This area already has this study."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.area}"

    def clean(self):
        super().clean()
        if self.document_id and self.area_id and self.document.area_id != self.area_id:
            raise ValidationError({"document": _("This document belongs to another area.")})
