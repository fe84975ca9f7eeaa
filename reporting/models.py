import contextvars
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area
from core import history
from core.jobs import Job, job_file_path, private_storage
from core.money import money_validators
from core.scoping import ScopedQuerySet
from core.versioning import VersionedModel, raise_versions
from interventions.models import NO_RESIDENT_DATA, Indicator, Intervention
from programme.models import Ministry, ReportingPeriod

from . import cache as figures_cache

QUARTER_CLOSED = _("This quarter is closed: nothing reported in it can change.")
MOVED = _("A reported record cannot move to another area, quarter, report or intervention.")
REPORT_LOCKED = _("This report has been submitted; only a programme coordinator can change it now.")


class QuarterClosedError(ValidationError):
    def __init__(self):
        super().__init__(QUARTER_CLOSED, code="quarter_closed")


class ReportLockedError(ValidationError):
    def __init__(self):
        super().__init__(REPORT_LOCKED, code="report_locked")


# Quarter statuses read once for a check of many rows (see ``quarter_status_read_once``).
_known_quarters = contextvars.ContextVar("known_quarters", default=None)


@contextmanager
def quarter_status_read_once():
    """Inside, each quarter's status is read from the database once and then trusted:
    for checking many rows in one transaction (an import) without a query per row.
    The write itself reads it again (``ReportedQuerySet.save_changed``)."""
    token = _known_quarters.set({})
    try:
        yield
    finally:
        _known_quarters.reset(token)


class Light(models.TextChoices):
    GREEN = "green", _("on track")
    AMBER = "amber", _("attention")
    RED = "red", _("at risk")


class ReportedQuerySet(ScopedQuerySet):
    """Bulk paths for reported data: refused where they would skip history, versions or
    the closed-quarter lock."""

    def update(self, **kwargs):
        raise TypeError(
            f"{self.model.__name__} rows are saved one by one (history, versions, locks)."
        )

    def bulk_update(self, objs, fields, batch_size=None):
        raise TypeError(
            f"{self.model.__name__} rows are saved one by one or with save_changed() "
            "(history, versions, locks)."
        )

    def save_changed(self, objs, fields, *, user):
        """Save many changed rows at once, under the rules ``save()`` applies to one:
        none moves out of its quarter or report, a closed quarter refuses them all,
        each versioned row must still carry its stored version (which rises by one), an
        edited carried-over row is no longer marked so, and each gets one history
        record by ``user``. A fixed number of queries, however many rows."""
        objs = list(objs)
        if not objs:
            return
        if any(obj.moved_to_another_quarter() for obj in objs):
            raise ValidationError(MOVED, code="moved")
        quarters = {obj.quarter_id() for obj in objs}
        if ReportingPeriod.objects.filter(pk__in=quarters, status="closed").exists():
            raise QuarterClosedError()
        fields = list(fields)
        if issubclass(self.model, VersionedModel):
            raise_versions(self.model, objs)
            fields.append("version")
        for obj in objs:
            obj.note_edit()
        if any(f.name == "carried_over" for f in self.model._meta.concrete_fields):
            fields.append("carried_over")
        history.update_with_history(self.model, objs, fields, user=user)
        for obj in objs:
            obj.remember_loaded()
        figures_cache.quarter_changed(*quarters)

    def delete(self):
        quarters = set(self.values_list(self.model.quarter_path, flat=True))
        if ReportingPeriod.objects.filter(pk__in=quarters, status="closed").exists():
            raise QuarterClosedError()
        deleted = super().delete()
        figures_cache.quarter_changed(*quarters)
        return deleted

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        quarters = {obj.quarter_id() for obj in objs}
        if ReportingPeriod.objects.filter(pk__in=quarters, status="closed").exists():
            raise QuarterClosedError()
        created = super().bulk_create(objs, *args, **kwargs)
        figures_cache.quarter_changed(*quarters)
        return created


class ReportedData(models.Model):
    """A row that belongs to a quarter: once the quarter is closed, it cannot change.

    ``quarter_path`` leads to the row's ReportingPeriod. Fields in
    ``open_after_closing`` may still change (the Rijk's answer to an escalation).
    """

    quarter_path = "period"
    open_after_closing = ()
    # The foreign keys that place a row in its quarter and area; fixed once created.
    owned_by = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.moved_to_another_quarter():
            raise ValidationError(MOVED, code="moved")
        if self.change_refused_by_closed_quarter():
            raise QuarterClosedError()
        self.note_edit()
        super().save(*args, **kwargs)
        self.remember_loaded()
        figures_cache.quarter_changed(self.quarter_id())

    def remember_loaded(self):
        self._loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def note_edit(self):
        """What a save changes besides the fields edited (see ProgressUpdate)."""

    def delete(self, *args, **kwargs):
        if self.quarter_is_closed():
            raise QuarterClosedError()
        quarter = self.quarter_id()
        deleted = super().delete(*args, **kwargs)
        figures_cache.quarter_changed(quarter)
        return deleted

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    def changed_fields(self):
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            return None  # a new row: everything is new
        return {
            field.attname
            for field in self._meta.concrete_fields
            if field.attname in loaded and getattr(self, field.attname) != loaded[field.attname]
        }

    def quarter_id(self):
        *hops, last = self.quarter_path.split("__")
        target = self
        for name in hops:
            target = getattr(target, name, None)
            if target is None:
                return None
        return getattr(target, f"{last}_id")

    def quarter_is_closed(self):
        # Read the status afresh: the period object in memory may be stale. A check of
        # many rows in one transaction reads it once (quarter_status_read_once).
        quarter, known = self.quarter_id(), _known_quarters.get()
        if known is not None and quarter in known:
            return known[quarter]
        closed = ReportingPeriod.objects.filter(
            pk=quarter, status=ReportingPeriod.Status.CLOSED
        ).exists()
        if known is not None:
            known[quarter] = closed
        return closed

    def change_refused_by_closed_quarter(self):
        if not self.quarter_is_closed():
            return False
        if self._state.adding or not self.open_after_closing:
            return True
        # Compare with the stored row, not the copy loaded earlier: it may be stale.
        frozen = [
            field.attname
            for field in self._meta.concrete_fields
            if field.attname not in {"version", *self.open_after_closing}
        ]
        stored = type(self)._base_manager.filter(pk=self.pk).values(*frozen).first()
        return stored != {name: getattr(self, name) for name in frozen}

    def moved_to_another_quarter(self):
        """A reported row stays where it was reported: its owning keys never change."""
        changed = self.changed_fields()
        return bool(changed and changed & {f"{name}_id" for name in self.owned_by})

    def clean(self):
        super().clean()
        if self.moved_to_another_quarter():
            raise ValidationError(MOVED, code="moved")
        if self.quarter_id() and self.change_refused_by_closed_quarter():
            raise QuarterClosedError()


class AreaReport(ReportedData, VersionedModel):
    """One area's report for one quarter: the unit of the quarterly workflow."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    # The states in which the area still has to send its report in.
    NOT_SUBMITTED = (Status.DRAFT, Status.RETURNED)
    SUBMITTED = (Status.SUBMITTED, Status.APPROVED)

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("quarter"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    overall_light = models.CharField(
        _("overall light"), max_length=5, choices=Light.choices, blank=True
    )
    narrative = models.TextField(_("how the area is doing"), blank=True, help_text=NO_RESIDENT_DATA)
    governance_progress = models.TextField(
        _("progress of the governance"),
        blank=True,
        help_text=_("Steering group, covenant, Regio Deal: what was agreed or decided."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, editable=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = ReportedQuerySet.as_manager()
    area_path = "area"
    owned_by = ("area", "period")

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-period__year", "-period__quarter", "area__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period"],
                name="report_unique_per_area_and_quarter",
                violation_error_message=_("This area already has a report for this quarter."),
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="report_period_status_idx")]
        permissions = [
            ("submit_areareport", _("Can submit a quarterly report")),
            ("review_areareport", _("Can approve, return and reopen quarterly reports")),
        ]

    def __str__(self):
        return f"{self.area} – {self.period.label}"

    @classmethod
    def late(cls, status, *, deadline, today) -> bool:
        """Whether a report in ``status`` (None: the area has no report) is late on
        ``today``: not sent in while the deadline has passed."""
        return (status is None or status in cls.NOT_SUBMITTED) and today > deadline

    @property
    def is_late(self):
        return self.late(self.status, deadline=self.period.deadline, today=timezone.localdate())

    def edit_lock(self, *, reviewer, action="change"):
        """Why this report cannot be changed now (an error to raise), or None when it can."""
        if self.pk and self.quarter_is_closed():
            return QuarterClosedError()
        if not reviewer and self.status in (self.Status.SUBMITTED, self.Status.APPROVED):
            return ReportLockedError()
        return None


class ProgressUpdate(ReportedData, VersionedModel):
    """One intervention's update for one quarter. Updates of programme-wide work have no
    area report and are written by coordinators."""

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.PROTECT,
        related_name="updates",
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("quarter"), on_delete=models.PROTECT, related_name="updates"
    )
    report = models.ForeignKey(
        AreaReport,
        verbose_name=_("quarterly report"),
        on_delete=models.PROTECT,
        related_name="updates",
        null=True,
        blank=True,
    )
    light = models.CharField(_("light"), max_length=5, choices=Light.choices, blank=True)
    narrative = models.TextField(_("progress"), blank=True, help_text=NO_RESIDENT_DATA)
    results = models.TextField(_("results"), blank=True, help_text=NO_RESIDENT_DATA)
    money_spent_to_date = models.DecimalField(
        _("money spent so far (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators,
    )
    risks = models.TextField(_("risks"), blank=True, help_text=NO_RESIDENT_DATA)
    carried_over = models.BooleanField(
        _("carried over"),
        default=False,
        editable=False,
        help_text=_("Copied from the previous quarter and not yet edited."),
    )
    history = HistoricalRecords(excluded_fields=["version"])

    objects = ReportedQuerySet.as_manager()
    area_path = "intervention__area"
    owned_by = ("intervention", "period", "report")
    carried_fields = ("money_spent_to_date", "risks")

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-period__year", "-period__quarter", "intervention__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "period"],
                name="update_unique_per_intervention_and_quarter",
                violation_error_message=_(
                    "This intervention already has an update for this quarter."
                ),
            ),
            models.CheckConstraint(
                condition=Q(money_spent_to_date__isnull=True) | Q(money_spent_to_date__gte=0),
                name="update_money_spent_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
        ]
        indexes = [
            models.Index(fields=["period", "light"], name="update_period_light_idx"),
            # A quarter's updates in intervention order, newest quarter first: the API's
            # and the admin's lists without sorting a million rows.
            models.Index(fields=["-period", "intervention"], name="update_period_intervention_idx"),
            # The few updates still without a light, per report: what is left to fill in.
            models.Index(fields=["report"], condition=Q(light=""), name="update_without_light_idx"),
        ]

    def __str__(self):
        return f"{self.intervention.title} – {self.period.label}"

    def note_edit(self):
        """An update someone edited is no longer a copy of the previous quarter's."""
        changed = self.changed_fields()
        if (
            self.carried_over
            and changed
            and changed & {"light", "narrative", "results", *self.carried_fields}
        ):
            self.carried_over = False

    def clean(self):
        super().clean()
        if not (self.intervention_id and self.period_id):
            return
        if self.report_id is None and self.intervention.area_id is not None:
            raise ValidationError(
                {"report": _("An area's update belongs to its quarterly report.")}
            )
        if self.report_id is not None and (
            self.report.area_id != self.intervention.area_id
            or self.report.period_id != self.period_id
        ):
            raise ValidationError(
                {"report": _("The report must be of the intervention's area and quarter.")}
            )

    def edit_lock(self, *, reviewer, action="change"):
        if self.pk and self.quarter_is_closed():
            return QuarterClosedError()
        if self.report_id:
            return self.report.edit_lock(reviewer=reviewer, action=action)
        return None


class IndicatorValue(ReportedData, models.Model):
    """The value of one indicator in one quarterly update, typed by the indicator."""

    update = models.ForeignKey(
        ProgressUpdate,
        verbose_name=_("progress update"),
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    carried_over = models.BooleanField(_("carried over"), default=False, editable=False)
    history = HistoricalRecords()

    objects = ReportedQuerySet.as_manager()
    area_path = "update__intervention__area"
    quarter_path = "update__period"
    owned_by = ("update", "indicator")

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "indicator"],
                name="indicator_value_unique_per_update",
                violation_error_message=_("This update already has a value for this indicator."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"

    def note_edit(self):
        if self.carried_over and self.changed_fields():
            self.carried_over = False

    def clean(self):
        super().clean()
        if not (self.update_id and self.indicator_id):
            return
        if self.indicator.intervention_id != self.update.intervention_id:
            raise ValidationError(
                {"indicator": _("This indicator belongs to another intervention.")}
            )
        if self.indicator.unit == Indicator.Unit.PERCENTAGE and self.value is not None:
            if not Decimal(0) <= self.value <= Decimal(100):
                raise ValidationError({"value": _("A percentage lies between 0 and 100.")})

    def edit_lock(self, *, reviewer, action="change"):
        return self.update.edit_lock(reviewer=reviewer, action=action) if self.update_id else None


class Escalation(ReportedData, VersionedModel):
    """A knelpunt: an obstacle an area asks the Rijk to solve, raised in its report."""

    class Kind(models.TextChoices):
        RULES = "rules", _("rules and law")
        MONEY = "money", _("money")
        CAPACITY = "capacity", _("capacity")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")
        DECLINED = "declined", _("declined")

    # An escalation the Rijk has finished with; all others are still open.
    FINISHED = (Status.RESOLVED, Status.DECLINED)

    report = models.ForeignKey(
        AreaReport,
        verbose_name=_("quarterly report"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=NO_RESIDENT_DATA)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    addressed_to = models.ForeignKey(
        Ministry,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer from the Rijk"), blank=True)
    answered_at = models.DateField(_("answered on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = ReportedQuerySet.as_manager()
    area_path = "report__area"
    quarter_path = "report__period"
    owned_by = ("report",)
    # The Rijk answers after the quarter closed; what the area raised stays as it was.
    open_after_closing = ("status", "answer", "answered_at")
    coordinator_fields = open_after_closing  # only coordinators record the answer

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-report__period__year", "-report__period__quarter", "title"]
        indexes = [models.Index(fields=["status"], name="escalation_status_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.addressed_to_id:
            changed = self.changed_fields()
            self.addressed_to.refuse_if_inactive(
                "addressed_to",
                newly_chosen=lambda: changed is None or "addressed_to_id" in changed,
            )

    def edit_lock(self, *, reviewer, action="change"):
        if self.pk and self.quarter_is_closed() and not (reviewer and action == "change"):
            return QuarterClosedError()  # a coordinator may still record the Rijk's answer
        if self.report_id and not reviewer:
            return self.report.edit_lock(reviewer=reviewer, action=action)
        return None


class Transition(models.Model):
    """An append-only record of one workflow step: who, when, from, to and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from"), max_length=12)
    to_status = models.CharField(_("to"), max_length=12)
    comment = models.TextField(_("comment"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Workflow transitions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Workflow transitions are append-only.")


class ReportTransition(Transition):
    report = models.ForeignKey(
        AreaReport,
        verbose_name=_("quarterly report"),
        on_delete=models.PROTECT,
        related_name="transitions",
    )
    area_path = "report__area"

    class Meta(Transition.Meta):
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")

    def __str__(self):
        return f"{self.report}: {self.from_status} → {self.to_status}"


class QuarterTransition(Transition):
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("quarter"),
        on_delete=models.PROTECT,
        related_name="transitions",
    )

    class Meta(Transition.Meta):
        verbose_name = _("quarter transition")
        verbose_name_plural = _("quarter transitions")

    def __str__(self):
        return f"{self.period}: {self.from_status} → {self.to_status}"


class ExportLog(models.Model):
    """Who exported what, when: every export leaves a row (append-only)."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    class Kind(models.TextChoices):
        REPORT = "report", _("quarterly report")
        SUMMARY = "summary", _("figures per area")
        TEMPLATE = "template", _("Excel template of an area's report")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("quarter"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    via = models.CharField(_("via"), max_length=20, help_text=_("admin, api or command"))

    objects = ScopedQuerySet.as_manager()
    owner_path = "user"

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.format} {self.period.label} {self.at:%Y-%m-%d %H:%M}"


class QuarterImportJob(Job):
    """A large quarter import, checked and applied by a worker (reporting/imports.py):
    all or nothing, as in the request, with its problems kept for the result page."""

    report = models.ForeignKey(
        AreaReport, verbose_name=_("quarterly report"), on_delete=models.PROTECT, related_name="+"
    )
    upload = models.FileField(
        _("uploaded file"), storage=private_storage, upload_to=job_file_path, max_length=200
    )
    result = models.JSONField(_("result"), default=dict, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta(Job.Meta):
        verbose_name = _("quarter import")
        verbose_name_plural = _("quarter imports")

    def __str__(self):
        return f"{self.report_id} {self.created_at:%Y-%m-%d %H:%M}"

    def run(self):
        from .imports import run_quarter_import

        run_quarter_import(self)


class ExportJob(Job):
    """A quarterly report made by a worker (reporting/exports/jobs.py): the programme-wide
    files and large areas' files, too slow for a web request."""

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("quarter"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=4, choices=ExportLog.Format.choices)
    via = models.CharField(_("via"), max_length=20, help_text=_("admin, page or api"))
    page_url = models.URLField(_("page"), max_length=300, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta(Job.Meta):
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self):
        return f"{self.period_id} {self.format} {self.created_at:%Y-%m-%d %H:%M}"

    def run(self):
        from .exports.jobs import run_export

        run_export(self)

    def finished(self):
        from .exports.jobs import mail_requester

        mail_requester(self)
