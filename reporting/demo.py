"""A lived-in, clearly fictional demo: two years of quarterly reporting on the 2020
programme's real areas, with demo users.

Every organisation, intervention and figure here is made up and says so ("(demo)");
the programme, its areas and the themes are the real reference data. The history is
written through the reporting services (quarter_open, report_step, quarter_close and
the models' bulk ``save_changed``), so every rule of the workflow holds for it: a
quarter's updates start from the previous one, a report is complete when submitted,
nothing changes in a closed quarter except the Rijk's answer to an escalation.

Deterministic (one seeded random generator) and loaded once: when the programme has
quarters or demo interventions already, only the demo users are made sure of.
"""

import datetime
import random
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction

from accounts import roles
from accounts.models import AreaMembership, User
from areas.models import (
    Area,
    AreaDocument,
    AreaPartner,
    AreaStudy,
    GovernanceArrangement,
    Partner,
)
from core import history
from interventions.models import (
    EvidenceLevel,
    FundingLine,
    Indicator,
    Intervention,
    KnowledgeItem,
    TargetGroup,
)
from programme.models import Ministry, Programme, Theme

from . import services
from .models import AreaReport, Escalation, IndicatorValue, Light, ProgressUpdate

SEED = 2026
PROGRAMME = "nplv-2022"  # the programme running now, with its four lines of action
# Eight quarters: all but the last are approved and closed; the last is open.
QUARTERS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3), (2026, 4)]
OPEN = len(QUARTERS) - 1
MARK = "(demo)"

DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_USERS = [
    # e-mail, name, role, own areas
    ("beheer@demo.example", "Demo Beheerder", None, []),
    ("coordinator@demo.example", "Demo Coördinator (VRO)", roles.COORDINATOR, []),
    ("rotterdam@demo.example", "Demo Contactpersoon Rotterdam", roles.LIAISON, ["rotterdam-zuid"]),
    ("denhaag@demo.example", "Demo Contactpersoon Den Haag", roles.LIAISON, ["den-haag-zuidwest"]),
    ("viewer@demo.example", "Demo Raadpleger (OCW)", roles.VIEWER, []),
]
# The area whose report in the open quarter came back with a comment, and the one a
# past quarter's report came back for before it was approved.
RETURNED_NOW = "den-haag-zuidwest"
RETURNED_BEFORE = ("rotterdam-zuid", 2)
RETURN_COMMENT = (
    "Bij een paar interventies ontbreken de risico's en de besteding klopt niet met de "
    "vorige rapportage. Graag aanvullen en opnieuw indienen (demo)."
)

# name, kind, the ministry's code for a partner that is one
PARTNERS = [
    ("Brede School De Brug (demo)", Partner.Kind.SCHOOL, None),
    ("Woonstichting Voorbeeld (demo)", Partner.Kind.HOUSING, None),
    ("Politie basisteam Voorbeeld (demo)", Partner.Kind.POLICE, None),
    ("Welzijn Voorbeeldstad (demo)", Partner.Kind.WELFARE, None),
    ("Kennisinstituut Voorbeeld (demo)", Partner.Kind.KNOWLEDGE, None),
    ("Ministerie van VRO (demo)", Partner.Kind.MINISTRY, "VRO"),
]
STATE_FUNDER = 5  # the state's money comes from the ministry

# title, themes, lead partner, amount committed by the state (€), indicator:
# (name, unit, baseline, target, direction)
NUMBER, PERCENTAGE = Indicator.Unit.NUMBER, Indicator.Unit.PERCENTAGE
UP, DOWN = Indicator.Direction.UP, Indicator.Direction.DOWN
KINDS_OF_WORK = [
    ("Verlengde schooldag", ["education", "youth"], 0, 250000, ("Leerlingen met een verlengde schooldag", NUMBER, 0, 300, UP)),
    ("Wijkteam schulden", ["debt", "work"], 3, 120000, ("Huishoudens in schuldhulp", NUMBER, 0, 150, UP)),
    ("Renovatie portiekflats", ["housing"], 1, 900000, ("Gerenoveerde woningen", NUMBER, 0, 240, UP)),
    ("Jongerenwerk op straat", ["youth", "safety"], 3, 80000, ("Bereikte jongeren", NUMBER, 0, 200, UP)),
    ("Taalcafé voor ouders", ["education"], 0, 15000, ("Deelnemende ouders", NUMBER, 0, 80, UP)),
    ("Buurtpreventie-app", ["safety"], 2, 30000, ("Aangesloten huishoudens", PERCENTAGE, 5, 40, UP)),
    ("Werkgeversservicepunt in de wijk", ["work"], 3, 200000, ("Bewoners aan het werk", NUMBER, 0, 120, UP)),
    ("Aanpak ondermijning bedrijventerrein", ["safety"], 2, 150000, ("Gecontroleerde panden", NUMBER, 0, 60, UP)),
    ("Gezonde school", ["health", "education"], 0, 60000, ("Scholen met een gezonde kantine", PERCENTAGE, 10, 80, UP)),
    ("Schoon, heel en veilig", ["housing", "safety"], 1, 90000, ("Meldingen van overlast", NUMBER, 400, 250, DOWN)),
    ("Huiswerkbegeleiding", ["education", "youth"], 3, 45000, ("Begeleide leerlingen", NUMBER, 0, 150, UP)),
    ("Vroegsignalering betalingsachterstanden", ["debt"], 1, 70000, ("Huishoudens vroeg bereikt", NUMBER, 0, 400, UP)),
]  # fmt: skip
PROGRAMME_WIDE = [
    ("Kenniskamer gebiedsgerichte aanpak", ["work", "safety"], 4, 60000, ("Gedeelde werkwijzen", NUMBER, 0, 12, UP)),
    ("Leernetwerk wijkaanpak", ["youth", "education"], 4, 40000, ("Deelnemende gebieden", NUMBER, 0, 20, UP)),
]  # fmt: skip

PROGRESS = {
    Light.GREEN: [
        "Loopt volgens plan (demo).",
        "Meer deelnemers dan verwacht (demo).",
        "Partners werken goed samen; de planning wordt gehaald (demo).",
    ],
    Light.AMBER: [
        "Vertraging bij de werving van deelnemers (demo).",
        "Loopt, maar de uitvoering kost meer tijd dan gepland (demo).",
        "Wachten op een besluit van de gemeenteraad (demo).",
    ],
    Light.RED: [
        "Partner heeft te weinig mensen; bijsturing nodig (demo).",
        "Aanbesteding mislukt; nieuwe planning volgt (demo).",
    ],
}
RISKS = [
    "Personeelstekort bij partners (demo).",
    "Stijgende bouwkosten (demo).",
    "Financiering na 2026 nog niet rond (demo).",
    "Weinig bereik onder jongeren (demo).",
    "",
]
AREA_STORY = {
    Light.GREEN: "De aanpak loopt; de meeste interventies liggen op koers (demo).",
    Light.AMBER: "Een paar interventies lopen achter; we sturen bij met de partners (demo).",
    Light.RED: "Zorgen over de uitvoering: capaciteit en geld zijn krap (demo).",
}
GOVERNANCE = [
    "Stuurgroep kwam twee keer bijeen; jaarplan vastgesteld (demo).",
    "Convenant met de woningcorporatie verlengd (demo).",
    "Nieuwe kwartiermaker voor het programmabureau begonnen (demo).",
    "Bestuurlijk overleg met het Rijk over de Regio Deal (demo).",
]
# title, description, kind, addressed to, the Rijk's answer, how it ends
ESCALATIONS = [
    ("Regels voor het delen van gegevens tussen partners (demo)", "Partners mogen signalen over schulden niet delen; dat remt vroegsignalering (demo).", Escalation.Kind.RULES, "SZW", "Een handreiking gegevensdeling is verschenen; een wetswijziging wordt voorbereid (demo).", Escalation.Status.RESOLVED),
    ("Geen structureel geld voor jongerenwerk (demo)", "De incidentele middelen stoppen eind 2026 (demo).", Escalation.Kind.MONEY, "VWS", "Structurele financiering past niet in de huidige begroting (demo).", Escalation.Status.DECLINED),
    ("Te weinig wijkagenten (demo)", "De formatie van het basisteam is al een jaar niet gevuld (demo).", Escalation.Kind.CAPACITY, "JenV", "Het gebied krijgt voorrang bij de instroom van nieuwe agenten (demo).", Escalation.Status.RESOLVED),
    ("Urennorm onderwijstijd knelt (demo)", "De verlengde schooldag botst met de regels voor onderwijstijd (demo).", Escalation.Kind.RULES, "OCW", "OCW onderzoekt een experimenteerregeling; besluit volgt (demo).", Escalation.Status.IN_PROGRESS),
    ("Huurtoeslag en bijverdienen (demo)", "Bewoners die gaan werken verliezen toeslag en komen in de schulden (demo).", Escalation.Kind.RULES, "FIN", "Meegenomen in de herziening van het toeslagenstelsel (demo).", Escalation.Status.IN_PROGRESS),
    ("Renovatie vertraagd door stikstofregels (demo)", "De vergunning voor de renovatie ligt stil (demo).", Escalation.Kind.RULES, "VRO", "Renovatie valt onder de bouwvrijstelling; de vergunning kan door (demo).", Escalation.Status.RESOLVED),
    ("Tekort aan schuldhulpverleners (demo)", "Wachttijden voor schuldhulp lopen op tot vier maanden (demo).", Escalation.Kind.CAPACITY, "SZW", "", Escalation.Status.OPEN),
    ("Regeldruk bij subsidieverantwoording (demo)", "Elke partner verantwoordt apart aan drie ministeries (demo).", Escalation.Kind.OTHER, "BZK", "", Escalation.Status.OPEN),
]  # fmt: skip
# Of the past quarters' escalations, those raised in the quarters just before the open
# one are still being answered.
STILL_OPEN_AFTER = OPEN - 2


def load():
    """Load the demo once; returns True when it loaded the history, False when a demo
    (or other quarters) was already there."""
    with transaction.atomic():
        users = ensure_users()
        programme = Programme.objects.get(code=PROGRAMME)
        if (
            programme.quarters.exists()
            or Intervention.objects.filter(title__endswith=MARK).exists()
        ):
            return False
        History(programme, users).build()
    return True


def ensure_users():
    users = {}
    for email, name, role, area_codes in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, full_name=name, is_staff=True, is_superuser=role is None
            )
            if role:
                user.groups.add(Group.objects.get(name=role))
            for area in Area.objects.filter(code__in=area_codes):
                AreaMembership.objects.create(user=user, area=area)
        users[email] = user
    return users


@contextmanager
def clock(moment):
    """Let the services stamp ``moment`` (a submission, an approval) instead of today,
    so the demo's history reads like two years of work."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def at(date, hour=10):
    return datetime.datetime.combine(date, datetime.time(hour), tzinfo=datetime.UTC)


def first_day(index):
    """The first day of the quarter ``index`` quarters after the demo's first (a Q1)."""
    year, quarter = QUARTERS[0][0] + index // 4, index % 4 + 1
    return datetime.date(year, 3 * quarter - 2, 1)


def deadline_of(year, quarter):
    return datetime.date(year + quarter // 4, (3 * quarter) % 12 + 1, 15)


class Plan:
    """One demo intervention's course: when it starts and ends, how it is doing."""

    ENDED = (Intervention.Status.COMPLETED, Intervention.Status.STOPPED)

    def __init__(self, rng, kind, area, start, end=None, ends_as=Intervention.Status.COMPLETED):
        self.title, self.themes, self.lead, self.amount, self.indicator = kind
        self.area, self.start, self.end, self.ends_as = area, start, end, ends_as
        self.health = rng.uniform(0.25, 0.75)
        self.duration = rng.randint(7, 12)  # quarters to reach the target
        self.spent = self.committed = Decimal(0)
        self.progress = 0.0
        self.intervention = None

    def status(self, index):
        if self.end is not None and index > self.end:
            return self.ends_as
        if index >= self.start:
            return Intervention.Status.RUNNING
        return (
            Intervention.Status.PREPARING if index == self.start - 1 else Intervention.Status.IDEA
        )

    def date(self, index):
        return first_day(index) + datetime.timedelta(days=14)

    def next_quarter(self, rng, index):
        """This quarter's light, money spent to date and progress towards the target."""
        # Most work gets on course over time, with setbacks.
        self.health = min(1.0, max(0.0, self.health + rng.gauss(0.05, 0.17)))
        light = (
            Light.GREEN if self.health > 0.6 else Light.AMBER if self.health > 0.3 else Light.RED
        )
        done = (index - self.start + 1) / self.duration
        self.progress = max(self.progress, min(1.0, done * rng.uniform(0.85, 1.1)))
        share = Decimal(min(0.97, done * rng.uniform(0.8, 1.05)))
        self.spent = max(self.spent, (self.committed * share).quantize(1))
        return light

    def value(self):
        _name, unit, baseline, target, _direction = self.indicator
        value = Decimal(baseline + (target - baseline) * self.progress)
        return value.quantize(Decimal("0.1") if unit == PERCENTAGE else Decimal(1))


# The NPLV's line of action a kind of work belongs to, by its first theme: programme-wide
# work is the integrated approach itself (1).
LINE_OF_ACTION = {
    "housing": 2,
    "work": 3,
    "debt": 3,
    "education": 3,
    "health": 3,
    "youth": 4,
    "safety": 4,
}


def line_of_action(plan):
    return LINE_OF_ACTION[plan.themes[0]] if plan.area else 1


LESSONS = [
    ("Wat werkt bij een verlengde schooldag (demo)", KnowledgeItem.Kind.LESSON, EvidenceLevel.WELL_FOUNDED, "Verlengde schooldag"),
    ("Schulden vroeg signaleren in de wijk (demo)", KnowledgeItem.Kind.STUDY, EvidenceLevel.EFFECTIVE_FIRST, "Vroegsignalering betalingsachterstanden"),
]  # fmt: skip


def demo_pdf(title):
    """A one-page PDF that says it is a demo document."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return body


class History:
    """The register, then the quarters one after another, as the services would see
    them happen."""

    def __init__(self, programme, users):
        self.programme = programme
        self.rng = random.Random(SEED)
        self.coordinator = users["coordinator@demo.example"]
        self.liaisons = {
            area_code: users[email]
            for email, _name, role, area_codes in DEMO_USERS
            if role == roles.LIAISON
            for area_code in area_codes
        }
        self.areas = list(services.areas_in(programme).order_by("name"))
        self.ministries = {ministry.code: ministry for ministry in Ministry.objects.all()}
        self.escalations = []  # (escalation, quarter index raised, answer, final status)
        self.to_raise = []  # the escalations in the order they are raised, each once a round

    def build(self):
        with clock(at(first_day(-1))):
            self.register()
            self.dossier()
        for index, (year, quarter) in enumerate(QUARTERS):
            if index:
                self.move_on(index)
            with clock(at(first_day(index) + datetime.timedelta(days=1), 9)):
                period = services.quarter_open(
                    programme=self.programme,
                    year=year,
                    quarter=quarter,
                    deadline=deadline_of(year, quarter),
                    user=self.coordinator,
                )
            if index == OPEN:
                self.half_fill(period, index)
            else:
                self.report(period, index)
        self.answer_escalations()

    # -- The area dossier and what the programme learned ---------------------------------

    def dossier(self):
        """Every area's Rijk contact and where its analysis and MKBA stand; a covenant in
        the demo liaisons' areas; two lessons learned linked to the work they are about."""
        vro = self.ministries["VRO"]
        for area in self.areas:
            area.rijk_contact_name = f"Contactpersoon {area.name} {MARK}"
            area.rijk_contact_ministry = vro
            area.rijk_contact_email = f"rijk.{area.code}@demo.example"
            area.save(
                update_fields=["rijk_contact_name", "rijk_contact_ministry", "rijk_contact_email"]
            )
            covenant = None
            if area.code in self.liaisons:
                covenant = AreaDocument(
                    area=area,
                    kind=AreaDocument.Kind.COVENANT,
                    title=f"Convenant gebiedsaanpak {MARK}",
                )
                covenant.file = ContentFile(demo_pdf(covenant.title), name="convenant.pdf")
                covenant.note_upload(self.liaisons[area.code])
                covenant.save()
            AreaStudy.objects.create(
                area=area,
                kind=AreaStudy.Kind.ANALYSIS,
                status=AreaStudy.Status.DONE,
                date=datetime.date(2023, self.rng.randint(1, 12), 1),
                summary=f"Opgaven in wonen, veiligheid, onderwijs en werk in kaart gebracht {MARK}.",
            )
            AreaStudy.objects.create(
                area=area,
                kind=AreaStudy.Kind.MKBA,
                status=self.rng.choice(
                    [
                        AreaStudy.Status.DONE,
                        AreaStudy.Status.IN_PROGRESS,
                        AreaStudy.Status.NOT_STARTED,
                    ]
                ),
            )
        for title, kind, level, work in LESSONS:
            item = KnowledgeItem.objects.create(
                title=title,
                kind=kind,
                evidence_level=level,
                summary=f"Fictieve samenvatting voor de demo {MARK}.",
                source=f"Kennisinstituut Voorbeeld {MARK}",
            )
            about = [plan.intervention for plan in self.plans if plan.title == work]
            item.interventions.set(about)
            item.areas.set({intervention.area for intervention in about if intervention.area})

    # -- The register: partners, governance, interventions and their money -------------

    def register(self):
        rng = self.rng
        partners = [
            Partner.objects.get_or_create(
                name=name, defaults={"kind": kind, "ministry": self.ministries.get(code)}
            )[0]
            for name, kind, code in PARTNERS
        ]
        self.partners = partners
        for area in self.areas:
            for partner in partners[:4]:
                AreaPartner.objects.get_or_create(
                    area=area, partner=partner, defaults={"role": AreaPartner.Role.EXECUTING}
                )
            GovernanceArrangement.objects.get_or_create(
                area=area,
                name=f"Stuurgroep gebiedsaanpak {MARK}",
                defaults={
                    "kind": GovernanceArrangement.Kind.STEERING_GROUP,
                    "chair": "de burgemeester",
                    "start_date": datetime.date(2020, 9, 1),
                },
            )
        self.plans = []
        ended = 0
        for area in self.areas:
            # The demo liaisons' areas have the most going on.
            number = 4 if area.code in self.liaisons else rng.randint(2, 4)
            for kind in rng.sample(KINDS_OF_WORK, number):
                # Most work was already running when the demo's history begins.
                start = rng.choice([-6, -4, -3, -2, -1, 0, 0, 1, 2, 3, 5])
                end = rng.choice([None, None, None, None, start + 5]) if start < 2 else None
                ended += end is not None
                # One in three that end is stopped early rather than completed.
                stopped = end is not None and ended % 3 == 0
                ends_as = Intervention.Status.STOPPED if stopped else Intervention.Status.COMPLETED
                self.plans.append(Plan(rng, kind, area, start, end, ends_as))
        # Work that starts next quarter, and ideas still being worked out.
        starts = [OPEN + 1, OPEN + 1, OPEN + 4, OPEN + 4]
        for area, start in zip(rng.sample(self.areas, len(starts)), starts, strict=True):
            self.plans.append(Plan(rng, rng.choice(KINDS_OF_WORK), area, start))
        for kind in PROGRAMME_WIDE:
            self.plans.append(Plan(rng, kind, None, rng.choice([-2, 1])))

        themes = {theme.code: theme for theme in Theme.objects.all()}
        tracks = {track.number: track for track in self.programme.tracks.all()}
        target_group = TargetGroup.objects.get_or_create(name=f"Jongeren 12-23 jaar {MARK}")[0]
        for number, plan in enumerate(self.plans, start=1):
            status = plan.status(0)
            title = " ".join([plan.title, *([plan.area.name] if plan.area else []), MARK])
            plan.intervention = Intervention.objects.create(
                code=f"IV-DEMO{number:03d}",  # not the random default: the same every time
                title=title,
                area=plan.area,
                track=tracks[line_of_action(plan)],
                status=status,
                start_date=plan.date(plan.start),
                end_date=plan.date(plan.end + 1) if status in Plan.ENDED else None,
                lead_partner=partners[plan.lead],
                description=f"Fictief voorbeeld voor de demo {MARK}.",
            )
            plan.intervention.themes.set([themes[code] for code in plan.themes])
            plan.intervention.target_groups.set([target_group])
        history.create_with_history(
            FundingLine,
            [line for plan in self.plans for line in self.funding(plan)],
            user=self.coordinator,
        )
        for plan in self.plans:
            name, unit, baseline, target, direction = plan.indicator
            plan.indicator_row = Indicator.objects.create(
                intervention=plan.intervention,
                name=name,
                unit=unit,
                direction=direction,
                baseline_value=Decimal(baseline),
                baseline_year=2024,
                target_value=Decimal(target),
                target_year=2027,
            )
        self.plan_of = {plan.intervention.pk: plan for plan in self.plans}

    def funding(self, plan):
        """The state's money, the municipality's share and, for some work, a third
        source; the plan spends from their sum."""
        amount = Decimal(plan.amount)
        lines = [
            FundingLine(
                intervention=plan.intervention,
                source=FundingLine.Source.STATE,
                funder=self.partners[STATE_FUNDER],
                amount=amount,
            ),
            FundingLine(
                intervention=plan.intervention,
                source=FundingLine.Source.MUNICIPALITY,
                amount=(amount * Decimal(self.rng.choice(["0.5", "0.75", "1"]))).quantize(1),
                note=f"Cofinanciering {MARK}",
            ),
        ]
        third = None
        if "housing" in plan.themes:
            third = (FundingLine.Source.HOUSING, self.partners[1], Decimal("0.6"))
        elif self.rng.random() < 0.3:
            source = self.rng.choice([FundingLine.Source.PROVINCE, FundingLine.Source.EU])
            third = (source, None, Decimal("0.3"))
        if third:
            source, funder, share = third
            lines.append(
                FundingLine(
                    intervention=plan.intervention,
                    source=source,
                    funder=funder,
                    amount=(amount * share).quantize(1),
                    year=2026,
                )
            )
        plan.committed = sum(line.amount for line in lines)
        return lines

    def move_on(self, index):
        """Between two quarters: work starts, finishes or stops."""
        with clock(at(first_day(index))):
            for plan in self.plans:
                status = plan.status(index)
                if status == plan.intervention.status:
                    continue
                plan.intervention.status = status
                if status in Plan.ENDED:
                    plan.intervention.end_date = plan.date(index)
                plan.intervention.save()

    # -- A quarter reported, reviewed and closed -------------------------------------

    def updates(self, period, reports, *, programme_wide):
        rows = ProgressUpdate.objects.filter(period=period, report__in=reports)
        if programme_wide:
            rows |= ProgressUpdate.objects.filter(period=period, report__isnull=True)
        return list(rows.order_by("pk"))

    def fill(self, index, updates):
        """Write ``updates``: lights, progress, money spent to date, risks and the
        indicator's value, which moves towards its target."""
        rng = self.rng
        values = {
            value.update_id: value
            for value in IndicatorValue.objects.filter(update__in=[u.pk for u in updates])
        }
        changed, new_values, changed_values = {}, [], []
        for update in updates:
            plan = self.plan_of[update.intervention_id]
            update.light = plan.next_quarter(rng, index)
            update.narrative = rng.choice(PROGRESS[update.light])
            update.money_spent_to_date = plan.spent
            update.risks = rng.choice(RISKS) if update.light != Light.GREEN else ""
            update.results = f"{plan.indicator[0]}: {plan.value()} {MARK}"
            changed.setdefault(self.author(plan.area), []).append(update)
            value = values.get(update.pk)
            if value is None:
                new_values.append(
                    IndicatorValue(update=update, indicator=plan.indicator_row, value=plan.value())
                )
            elif value.value != plan.value():
                value.value = plan.value()
                changed_values.append(value)
        for author, rows in changed.items():
            ProgressUpdate.objects.save_changed(
                rows, ["light", "narrative", "results", "money_spent_to_date", "risks"], user=author
            )
        history.create_with_history(IndicatorValue, new_values, user=self.coordinator)
        IndicatorValue.objects.save_changed(changed_values, ["value"], user=self.coordinator)

    def author(self, area):
        """Who writes an area's report: its demo liaison, else the coordinator."""
        return self.liaisons.get(area.code, self.coordinator) if area else self.coordinator

    def describe(self, reports, index):
        """The reports' overall light and story, after their updates."""
        lights = {}
        for update in ProgressUpdate.objects.filter(report__in=reports).exclude(light=""):
            lights.setdefault(update.report_id, []).append(update.light)
        rows = list(
            AreaReport.objects.filter(pk__in=[report.pk for report in reports]).select_related(
                "area"
            )
        )
        for report in rows:
            given = lights.get(report.pk, [])
            if given and given.count(Light.RED) * 2 >= len(given):
                report.overall_light = Light.RED
            elif given and given.count(Light.GREEN) * 2 > len(given):
                report.overall_light = Light.GREEN
            else:
                report.overall_light = Light.AMBER  # mixed, or all work still in preparation
            report.narrative = AREA_STORY[report.overall_light]
            report.governance_progress = self.rng.choice(GOVERNANCE)
        AreaReport.objects.save_changed(
            rows, ["overall_light", "narrative", "governance_progress"], user=self.coordinator
        )
        return rows

    def raise_escalations(self, reports, index, count):
        """``count`` escalations in as many reports; every other quarter one is Rotterdam's."""
        chosen = self.rng.sample(reports, count)
        if index % 2 == 0:
            rotterdam = [report for report in reports if report.area.code == "rotterdam-zuid"]
            chosen = [*rotterdam, *[report for report in chosen if report not in rotterdam]]
            chosen = chosen[:count]
        for report in chosen:
            if not self.to_raise:
                self.to_raise = self.rng.sample(ESCALATIONS, len(ESCALATIONS))
            title, description, kind, ministry, answer, ends = self.to_raise.pop()
            escalation = Escalation.objects.create(
                report=report,
                title=title,
                description=description,
                kind=kind,
                addressed_to=self.ministries[ministry],
            )
            self.escalations.append((escalation, index, answer, ends))

    def report(self, period, index):
        deadline = period.deadline
        reports = list(period.reports.select_related("area"))
        with clock(at(deadline - datetime.timedelta(days=20))):
            self.fill(index, self.updates(period, reports, programme_wide=True))
            reports = self.describe(reports, index)
            self.raise_escalations(reports, index, self.rng.randint(1, 2))
        for number, report in enumerate(sorted(reports, key=lambda r: r.area.name)):
            area_code = report.area.code
            submitter = self.author(report.area)
            day = deadline - datetime.timedelta(days=self.rng.randint(0, 12))
            with clock(at(day, 11 + number % 6)):
                services.report_step(report=report, user=submitter, step="submit")
            if (area_code, index) == RETURNED_BEFORE:
                with clock(at(day + datetime.timedelta(days=3))):
                    services.report_step(
                        report=report, user=self.coordinator, step="return", comment=RETURN_COMMENT
                    )
                with clock(at(day + datetime.timedelta(days=6))):
                    report = AreaReport.objects.get(pk=report.pk)
                    report.narrative += " Risico's en besteding aangevuld na terugsturen (demo)."
                    report._history_user = submitter
                    report.save()
                    services.report_step(report=report, user=submitter, step="submit")
            with clock(at(deadline + datetime.timedelta(days=self.rng.randint(3, 14)))):
                services.report_step(report=report, user=self.coordinator, step="approve")
        with clock(at(deadline + datetime.timedelta(days=21))):
            services.quarter_close(period=period, user=self.coordinator)

    def half_fill(self, period, index):
        """The open quarter, half way: some reports approved or submitted, one returned
        with a comment, the others drafts with part of their updates written."""
        reports = sorted(period.reports.select_related("area"), key=lambda r: r.area.name)
        returned = next(report for report in reports if report.area.code == RETURNED_NOW)
        others = [report for report in reports if report is not returned]
        done = [returned, *others[: len(others) // 2 - 1]]
        drafts = others[len(others) // 2 - 1 :]
        moment = at(period.deadline - datetime.timedelta(days=60))
        with clock(moment):
            self.fill(index, self.updates(period, done, programme_wide=True))
            done = self.describe(done, index)
            # Every other update of the drafts written, the rest still as carried over;
            # half the drafts have their overall light.
            self.fill(index, self.updates(period, drafts, programme_wide=False)[::2])
            self.describe(drafts[1::2], index)
            self.raise_escalations(done, index, 2)
        for number, report in enumerate(done):
            submitter = self.author(report.area)
            with clock(moment + datetime.timedelta(days=1 + number)):
                services.report_step(report=report, user=submitter, step="submit")
            with clock(moment + datetime.timedelta(days=3 + number)):
                if report.pk == returned.pk:
                    services.report_step(
                        report=report, user=self.coordinator, step="return", comment=RETURN_COMMENT
                    )
                elif number % 2:
                    services.report_step(report=report, user=self.coordinator, step="approve")

    def answer_escalations(self):
        """The Rijk answers after the quarter closed: long ago raised ones are resolved or
        declined, recent ones are being looked into or still wait."""
        for escalation, index, answer, ends in self.escalations:
            if index == OPEN or not answer:
                continue
            escalation.refresh_from_db()
            answered = deadline_of(*QUARTERS[index]) + datetime.timedelta(days=45)
            escalation.status = ends if index < STILL_OPEN_AFTER else Escalation.Status.IN_PROGRESS
            escalation.answer = answer
            escalation.answered_at = answered
            with clock(at(answered)):
                escalation.save()
