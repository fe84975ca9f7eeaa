"""Importing interventions from a sheet (programme coordinators): created or updated by
their code, with their funding lines, after a dry run that shows what would change.

The file is read by core/spreadsheets/reading.py (capped, streamed, defusedxml, no
formulas). Every row is resolved within the user's scope (an area, track, theme or
partner the user cannot see does not exist), checked by the models' own rules and the
access policy, and only when the whole file is valid is anything written, in one
transaction, row by row through the models: each changed intervention gets exactly one
history record under the importing user, unchanged ones none.

The funding sheet is optional. An intervention that appears in it has exactly the
funding lines of the sheet afterwards (matched on source, funder and year); one that
does not keep its lines as they are.
"""

import copy
import hashlib
import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from areas.models import Area, Partner
from core import history
from core.constraints import full_clean_in_bulk
from core.jobs import JobFailed
from core.spreadsheets import reading as xlsx
from core.spreadsheets.reading import Column, Problem, SpreadsheetRefused
from core.spreadsheets.writing import DATE, INTEGER, MONEY, TEXT, Table, write_xlsx
from core.spreadsheets.writing import Column as WrittenColumn
from core.versioning import loaded_under_lock, raise_versions
from programme.models import Theme, Track

from .models import FundingLine, Intervention, InterventionImportJob

logger = logging.getLogger(__name__)

SHEET_INTERVENTIONS = gettext_lazy("Interventions")
SHEET_FUNDING = gettext_lazy("Funding lines")


def _label(model, name):
    return model._meta.get_field(name).verbose_name


INTERVENTION_COLUMNS = [
    Column("code", _label(Intervention, "code"), xlsx.text(30), required=True),
    Column("title", _label(Intervention, "title"), xlsx.text(200), required=True),
    Column("programme", gettext_lazy("programme code"), xlsx.text(40), required=True),
    Column("track", _label(Intervention, "track"), xlsx.integer(1, 99), required=True),
    Column("area", gettext_lazy("area code"), xlsx.text(60)),
    Column(
        "status", _label(Intervention, "status"), xlsx.choice(Intervention.Status), required=True
    ),
    Column("themes", _label(Intervention, "themes"), xlsx.listed(), required=True),
    Column("lead_partner", _label(Intervention, "lead_partner"), xlsx.text(200)),
    Column("start_date", _label(Intervention, "start_date"), xlsx.date()),
    Column("end_date", _label(Intervention, "end_date"), xlsx.date()),
    Column(
        "evidence_level",
        _label(Intervention, "evidence_level"),
        xlsx.choice(Intervention.EvidenceLevel),
        needed=False,
    ),
    Column("description", _label(Intervention, "description"), needed=False),
]
FUNDING_COLUMNS = [
    Column("code", gettext_lazy("intervention code"), xlsx.text(30), required=True),
    Column("source", _label(FundingLine, "source"), xlsx.choice(FundingLine.Source), required=True),
    Column("funder", _label(FundingLine, "funder"), xlsx.text(200)),
    Column("year", _label(FundingLine, "year"), xlsx.integer(2000, 2100)),
    Column(
        "amount",
        _label(FundingLine, "amount"),
        xlsx.decimal(places=2, minimum=Decimal(0)),
        required=True,
    ),
    Column("note", _label(FundingLine, "note"), xlsx.text(250), needed=False),
]
PLAIN_FIELDS = ["title", "track", "area", "status", "lead_partner", "start_date", "end_date"]
OPTIONAL_FIELDS = ["evidence_level", "description"]


@dataclass
class PlannedIntervention:
    """One intervention row of the sheet and what importing it does."""

    row: int
    code: str
    title: str
    action: str  # "create", "update" or "unchanged"
    changes: list = field(default_factory=list)  # the labels of the changed fields
    funding_created: int = 0
    funding_changed: int = 0
    funding_deleted: int = 0

    def as_dict(self):
        return {
            "row": self.row,
            "code": self.code,
            "title": self.title,
            "action": self.action,
            "changes": self.changes,
            "funding_created": self.funding_created,
            "funding_changed": self.funding_changed,
            "funding_deleted": self.funding_deleted,
        }


@dataclass
class InterventionImport:
    problems: list[Problem] = field(default_factory=list)
    plan: list[PlannedIntervention] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self):
        return not self.problems

    def counts(self):
        actions = [item.action for item in self.plan]
        return {
            "created": actions.count("create"),
            "updated": actions.count("update"),
            "unchanged": actions.count("unchanged"),
            "funding_created": sum(item.funding_created for item in self.plan),
            "funding_changed": sum(item.funding_changed for item in self.plan),
            "funding_deleted": sum(item.funding_deleted for item in self.plan),
        }

    def fingerprint(self):
        """A digest of the plan: a confirmation applies what the preview showed, or not."""
        plan = [[item.as_dict(), getattr(item, "detail", [])] for item in self.plan]
        encoded = json.dumps(plan, sort_keys=True, default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()


def import_interventions(
    *, user, upload, dry_run: bool = True, expected: str = "", progress=None
) -> InterventionImport:
    """Check the sheet and, unless ``dry_run``, apply it. With ``expected`` (the
    fingerprint of a previewed plan) the import is applied only when the plan is still
    the same. Raises SpreadsheetRefused for a file that cannot be read and
    PermissionDenied for anyone but a coordinator. ``progress`` (a function of a
    percentage) hears how far it is."""
    if not access.may_import_interventions(user):
        raise PermissionDenied
    progress = progress or (lambda percent: None)
    result = InterventionImport(dry_run=dry_run)
    interventions, funding = _read(upload, result.problems)
    progress(40)
    with transaction.atomic():
        writes = _plan(user, interventions, funding, result)
        progress(70)
        if result.problems or dry_run:
            return result
        if expected and expected != result.fingerprint():
            result.problems.append(
                Problem(
                    str(SHEET_INTERVENTIONS),
                    None,
                    "",
                    _("The data changed since your preview: check the new preview."),
                    "plan_changed",
                )
            )
            return result
        writes.apply(user)
    logger.info(
        "intervention import user=%s %s",
        user.pk,
        " ".join(f"{k}={v}" for k, v in result.counts().items()),
    )
    return result


def start_intervention_import(*, user, upload, dry_run=True, expected=""):
    """Hand a large sheet to a worker: the file kept privately, the job queued once this
    transaction commits. A preview job's file serves its confirmation as well."""
    if not access.may_import_interventions(user):
        raise PermissionDenied
    job = InterventionImportJob(
        user=user, dry_run=dry_run, expected=expected, areas=access.scope_of(user)
    )
    if isinstance(upload, InterventionImportJob):
        job.upload = upload.upload.name  # the previewed file, confirmed
    else:
        job.upload.save(upload.name, upload, save=False)
    job.save()
    job.enqueue()
    return job


def run_intervention_import(job):
    """The worker's side of ``start_intervention_import``: the plan or the problems kept
    on the job for its page."""
    if not access.may_use_job(job.user, job):
        raise JobFailed(_("Only programme coordinators import interventions."))
    try:
        with job.upload.open("rb") as upload:
            result = import_interventions(
                user=job.user,
                upload=upload,
                dry_run=job.dry_run,
                expected=job.expected,
                progress=job.set_progress,
            )
    except SpreadsheetRefused as error:
        raise JobFailed(error.message) from error
    except PermissionDenied as error:
        raise JobFailed(_("Only programme coordinators import interventions.")) from error
    job.result = {
        "ok": result.ok,
        "counts": result.counts(),
        "plan": [item.as_dict() for item in result.plan],
        "problems": [problem.as_dict() for problem in result.problems],
        "fingerprint": result.fingerprint() if result.ok else "",
    }


def _read(upload, problems):
    with xlsx.open_xlsx(upload) as book:
        sheet = book.sheet(SHEET_INTERVENTIONS)
        if sheet is None:
            problems.append(
                Problem(
                    str(SHEET_INTERVENTIONS),
                    None,
                    "",
                    _("The sheet '%(sheet)s' is missing.") % {"sheet": SHEET_INTERVENTIONS},
                    "missing_sheet",
                )
            )
            return [], []
        interventions = list(sheet.rows(INTERVENTION_COLUMNS, problems))
        funding_sheet = book.sheet(SHEET_FUNDING)
        funding = list(funding_sheet.rows(FUNDING_COLUMNS, problems)) if funding_sheet else []
    return interventions, funding


class _Lookups:
    """The rows a sheet may refer to, within the user's scope, fetched once."""

    def __init__(self, user, interventions, funding):
        def wanted(rows, key):
            return {xlsx.folded(row.get(key)) for row in rows if row.get(key)}

        self.areas = {
            xlsx.folded(area.code): area
            for area in Area.objects.for_user(user)
            .filter(code__in=_raw(interventions, "area"))
            .prefetch_related("tracks")
        }
        self.tracks = {
            (xlsx.folded(track.programme.code), track.number): track
            for track in Track.objects.for_user(user).select_related("programme")
        }
        self.themes = {}
        for theme in Theme.objects.for_user(user):
            for name in (theme.code, theme.name_nl, theme.name_en):
                self.themes.setdefault(xlsx.folded(name), theme)
        names = wanted(interventions, "lead_partner") | wanted(funding, "funder")
        self.partners = {
            xlsx.folded(partner.name): partner
            for partner in Partner.objects.for_user(user)
            if xlsx.folded(partner.name) in names
        }
        codes = _raw(interventions, "code") | _raw(funding, "code")
        self.interventions = {
            xlsx.folded(intervention.code): intervention
            for intervention in Intervention.objects.for_user(user)
            .filter(code__in=codes)
            .select_for_update(of=("self",))
            .select_related("area", "track__programme", "lead_partner")
            .prefetch_related(
                "themes",
                # With their funders: the lines' rules ask whether a funder is a ministry.
                Prefetch("funding_lines", queryset=FundingLine.objects.select_related("funder")),
                "area__tracks",
            )
        }
        # Codes taken by interventions the import does not update (it creates them).
        self.taken = set(
            Intervention._base_manager.filter(code__in=codes).values_list("code", flat=True)
        ) - {intervention.code for intervention in self.interventions.values()}


def _raw(rows, key):
    return {row.get(key) for row in rows if row.get(key)}


@dataclass
class _Writes:
    """What applying the plan writes: a few statements for all rows, each changed row
    with one history record by the importer (core/history.py)."""

    created: list = field(default_factory=list)  # new interventions
    created_themes: list = field(default_factory=list)  # their theme ids, in that order
    changed: list = field(default_factory=list)  # changed interventions
    changed_fields: set = field(default_factory=set)
    changed_themes: dict = field(default_factory=dict)  # intervention id -> theme ids
    lines_created: list = field(default_factory=list)
    lines_changed: list = field(default_factory=list)
    lines_deleted: list = field(default_factory=list)

    def apply(self, user):
        history.create_with_history(
            Intervention, self.created, user=user, links={"themes": self.created_themes}
        )
        if self.changed:
            raise_versions(Intervention, self.changed)  # still as previewed, and locked
            history.update_with_history(
                Intervention,
                self.changed,
                [*sorted(self.changed_fields), "version"],
                user=user,
                links={"themes": self.changed_themes},
            )
        history.create_with_history(FundingLine, self.lines_created, user=user)
        history.update_with_history(FundingLine, self.lines_changed, ["amount", "note"], user=user)
        for line in self.lines_deleted:  # rare; simple-history records each deletion
            line._history_user = user
            line.delete()


def _plan(user, rows, funding_rows, result):
    """Check every row; returns the writes that apply the plan."""
    lookups = _Lookups(user, rows, funding_rows)
    writes = _Writes()
    seen = {}
    planned = {}
    for row in rows:
        code = row.get("code")
        if code is None:
            continue
        key = xlsx.folded(code)
        if key in seen:
            row.problem(
                "code",
                _("This row repeats row %(row)d.") % {"row": seen[key].number},
                "duplicate_row",
            )
            continue
        seen[key] = row
        # The versions of the locked rows stand for their stored ones while checking.
        with loaded_under_lock(lookups.interventions.values()):
            item = _plan_intervention(user, row, lookups, writes)
        if item is not None:
            result.plan.append(item)
            planned[key] = item
    _plan_funding(user, funding_rows, lookups, planned, writes, result, set(seen))
    return writes


def _resolve(row, lookups):
    values = {}
    area_code = row.get("area")
    values["area"] = None
    if area_code:
        values["area"] = lookups.areas.get(xlsx.folded(area_code))
        if values["area"] is None:
            row.problem("area", _("There is no area with this code."), "unknown")
    programme, number = row.get("programme"), row.get("track")
    if programme and number:
        values["track"] = lookups.tracks.get((xlsx.folded(programme), number))
        if values["track"] is None:
            row.problem("track", _("This programme has no track with this number."), "unknown")
    themes = []
    for name in row.get("themes") or []:
        theme = lookups.themes.get(xlsx.folded(name))
        if theme is None:
            row.problem("themes", _("There is no theme '%(theme)s'.") % {"theme": name}, "unknown")
        elif theme not in themes:
            themes.append(theme)
    values["themes"] = themes
    values["lead_partner"] = None
    if row.get("lead_partner"):
        values["lead_partner"] = lookups.partners.get(xlsx.folded(row.get("lead_partner")))
        if values["lead_partner"] is None:
            row.problem("lead_partner", _("There is no partner with this name."), "unknown")
    for name in ("title", "status", "start_date", "end_date"):
        values[name] = row.get(name)
    for name in OPTIONAL_FIELDS:
        if name in row.values and row.get(name) is not None:
            values[name] = row.get(name)
    if "description" in row.values and row.get("description") is None:
        values["description"] = ""
    return values


def _plan_intervention(user, row, lookups, writes):
    values = _resolve(row, lookups)
    if row.failed or "track" not in values:
        return None  # the cells' problems say why; the model's rules would only repeat
    existing = lookups.interventions.get(xlsx.folded(row.get("code")))
    if existing is None:
        candidate = Intervention(code=row.get("code"))
    else:
        candidate = copy.copy(existing)
    changes, detail = [], []
    for name, value in values.items():
        if name == "themes":
            continue
        if existing is None or getattr(existing, name) != value:
            setattr(candidate, name, value)
            if existing is not None:
                changes.append(str(_label(Intervention, name)))
                detail.append((name, str(getattr(existing, name)), str(value)))
    themes = values["themes"]
    themes_changed = existing is None or {t.pk for t in existing.themes.all()} != {
        t.pk for t in themes
    }
    if existing is not None and themes_changed:
        changes.append(str(_label(Intervention, "themes")))
        detail.append(("themes", sorted(t.pk for t in existing.themes.all()), None))
    action = "create" if existing is None else ("update" if changes else "unchanged")
    if action != "unchanged":
        changed = {name for name, _old, _new in detail}
        unchanged_fields = [
            f.name for f in Intervention._meta.fields if f.name not in changed and f.name != "code"
        ]
        problems = _rules(
            candidate, user, "change" if existing else "add", themes, unchanged_fields, lookups
        )
        for name, message in problems:
            row.problem(name if name in row.headers else "code", message, "invalid")
        if problems:
            return None
    item = PlannedIntervention(row.number, candidate.code, candidate.title, action, changes)
    item.candidate = candidate
    item.detail = [*detail, ("version", existing.version if existing else None, None)]
    if action == "create":
        writes.created.append(candidate)
        writes.created_themes.append({theme.pk for theme in themes})
    elif action == "update":
        writes.changed.append(candidate)
        writes.changed_fields |= {name for name, _old, _new in detail if name != "themes"}
        if themes_changed:
            writes.changed_themes[candidate.pk] = {theme.pk for theme in themes}
    return item


# Foreign keys the sheet names by code or name: found within the user's scope, so they
# exist, and are not looked up again row by row.
RESOLVED = ["track", "area", "lead_partner"]


def _rules(candidate, user, action, themes, unchanged_fields, lookups):
    """The models' rules and the access policy on an unsaved candidate."""
    problems = []
    try:
        Intervention.validate_themes(themes)
    except ValidationError as error:
        problems += [("themes", message) for message in error.messages]
    # A changed row is checked as a model form checks it: the fields it does not change
    # are left out of the field and constraint checks; clean() always runs. The code's
    # uniqueness is checked for every row of the sheet at once (lookups.taken).
    unchanged = [] if action == "add" else list(unchanged_fields)
    try:
        full_clean_in_bulk(candidate, exclude=[*unchanged, *RESOLVED], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems += [(name, message) for message in messages]
    if action == "add" and candidate.code in lookups.taken:
        problems += [
            ("code", message)
            for message in candidate.unique_error_message(Intervention, ["code"]).messages
        ]
    if not problems and not access.can(user, action, candidate):
        problems.append(("area", str(_("You cannot save this outside your areas."))))
    return problems


def _plan_funding(user, rows, lookups, planned, writes, result, in_sheet):
    by_code = {}
    for row in rows:
        code = row.get("code")
        if code is None:
            continue
        key = xlsx.folded(code)
        if key not in planned and key in in_sheet:
            continue  # the intervention's own row has errors already
        if key not in planned and key not in lookups.interventions:
            row.problem(
                "code",
                _("There is no intervention with this code in this file or the register."),
                "unknown",
            )
            continue
        by_code.setdefault(key, []).append(row)

    for key, lines in by_code.items():
        item = planned.get(key)
        existing_intervention = lookups.interventions.get(key)
        intervention = item.candidate if item is not None else existing_intervention
        if item is None:
            item = PlannedIntervention(
                lines[0].number, intervention.code, intervention.title, "unchanged"
            )
            result.plan.append(item)
        stored = {}
        if existing_intervention is not None:
            for line in existing_intervention.funding_lines.all():
                stored[(line.source, line.funder_id, line.year)] = line
        seen = {}
        for row in lines:
            funder = None
            if row.get("funder"):
                funder = lookups.partners.get(xlsx.folded(row.get("funder")))
                if funder is None:
                    row.problem("funder", _("There is no partner with this name."), "unknown")
                    continue
            if "source" not in row.values or "amount" not in row.values:
                continue
            line_key = (row.get("source"), funder.pk if funder else None, row.get("year"))
            if line_key in seen:
                row.problem(
                    "source",
                    _("This row repeats row %(row)d.") % {"row": seen[line_key].number},
                    "duplicate_row",
                )
                continue
            seen[line_key] = row
            note = row.get("note") if "note" in row.values else None
            existing = stored.get(line_key)
            if existing is not None:
                new_note = (note or "") if "note" in row.headers else existing.note
                if existing.amount == row.get("amount") and existing.note == new_note:
                    continue
                line = copy.copy(existing)
                line.amount, line.note = row.get("amount"), new_note
                action = "change"
            else:
                line = FundingLine(
                    intervention=intervention,
                    source=row.get("source"),
                    funder=funder,
                    year=row.get("year"),
                    amount=row.get("amount"),
                    note=note or "",
                )
                action = "add"
            if not _line_valid(row, line, user, action):
                continue
            if action == "add":
                item.funding_created += 1
                writes.lines_created.append(line)
            else:
                item.funding_changed += 1
                writes.lines_changed.append(line)
        for line_key, line in stored.items():
            if line_key not in seen:
                if not access.can(user, "delete", line):
                    lines[0].problem("code", _("You cannot change this row."), "forbidden")
                    continue
                item.funding_deleted += 1
                writes.lines_deleted.append(line)


def _line_valid(row, line, user, action):
    try:
        # The funder was found by name within the user's scope (RESOLVED, above).
        full_clean_in_bulk(line, exclude=["intervention", "funder"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                row.problem(name if name in row.headers else "amount", message, "invalid")
        return False
    if not access.can(user, action, line):
        row.problem("code", _("You cannot save this outside your areas."), "forbidden")
        return False
    return True


WRITTEN_KINDS = {
    "track": INTEGER,
    "start_date": DATE,
    "end_date": DATE,
    "year": INTEGER,
    "amount": MONEY,
}


def _written(columns):
    """The import's columns as the writer's: the same headers, with typed cells."""
    return [WrittenColumn(column.header, WRITTEN_KINDS.get(column.key, TEXT)) for column in columns]


def intervention_sheet(*, user, target) -> None:
    """The interventions ``user`` sees, with their funding lines, in the import's format:
    edit it and import it back. Streamed (write-only), so it scales to every
    intervention of the programme."""
    interventions = Intervention.objects.for_user(user)
    themes = {}
    for intervention_id, code in Intervention.themes.through.objects.filter(
        intervention__in=interventions
    ).values_list("intervention_id", "theme__code"):
        themes.setdefault(intervention_id, []).append(code)
    status = dict(Intervention.Status.choices)
    evidence = dict(Intervention.EvidenceLevel.choices)
    source = dict(FundingLine.Source.choices)

    def intervention_rows():
        return (
            (
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                str(status[row[6]]),
                "; ".join(sorted(themes.get(row[0], []))),
                row[7],
                row[8],
                row[9],
                str(evidence[row[10]]),
                row[11],
            )
            for row in interventions.order_by("code")
            .values_list(
                "pk",
                "code",
                "title",
                "track__programme__code",
                "track__number",
                "area__code",
                "status",
                "lead_partner__name",
                "start_date",
                "end_date",
                "evidence_level",
                "description",
            )
            .iterator(chunk_size=2000)
        )

    def funding_rows():
        return (
            (row[0], str(source[row[1]]), row[2], row[3], row[4], row[5])
            for row in FundingLine.objects.filter(intervention__in=interventions)
            .order_by("intervention__code", "source", "year", "pk")
            .values_list("intervention__code", "source", "funder__name", "year", "amount", "note")
            .iterator(chunk_size=2000)
        )

    write_xlsx(
        [
            Table(
                "interventions",
                SHEET_INTERVENTIONS,
                _written(INTERVENTION_COLUMNS),
                intervention_rows,
            ),
            Table("funding", SHEET_FUNDING, _written(FUNDING_COLUMNS), funding_rows),
        ],
        target,
    )
