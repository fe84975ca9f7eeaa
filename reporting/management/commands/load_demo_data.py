"""A small, clearly fictional demo set on top of the reference data, with demo users.

Every organisation and intervention here is made up and says so; the areas,
municipalities and themes are the real reference data. Refuses to run in production.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts import roles
from accounts.models import AreaMembership, User
from areas.models import Area, AreaPartner, GovernanceArrangement, Partner
from interventions.models import FundingLine, Indicator, Intervention, TargetGroup
from programme.models import Programme, Theme
from reporting import services
from reporting.models import Light

DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_USERS = [
    # e-mail, name, role, own areas
    ("beheer@demo.example", "Demo Beheerder", None, []),
    ("coordinator@demo.example", "Demo Coördinator (BZK)", roles.COORDINATOR, []),
    ("rotterdam@demo.example", "Demo Contactpersoon Rotterdam", roles.LIAISON, ["rotterdam-zuid"]),
    ("denhaag@demo.example", "Demo Contactpersoon Den Haag", roles.LIAISON, ["den-haag-zuidwest"]),
    ("viewer@demo.example", "Demo Raadpleger (OCW)", roles.VIEWER, []),
]

PARTNERS = [
    ("Brede School De Brug (fictief)", Partner.Kind.SCHOOL),
    ("Woonstichting Voorbeeld (fictief)", Partner.Kind.HOUSING),
    ("Politie basisteam Voorbeeld (fictief)", Partner.Kind.POLICE),
    ("Welzijn Voorbeeldstad (fictief)", Partner.Kind.WELFARE),
    ("Kennisinstituut Voorbeeld (fictief)", Partner.Kind.KNOWLEDGE),
    ("Ministerie van BZK", Partner.Kind.MINISTRY),
]

# area code, track number, title, status, themes, lead partner index, amount
INTERVENTIONS = [
    (
        "rotterdam-zuid",
        1,
        "Verlengde schooldag (demo)",
        "running",
        ["education", "youth"],
        0,
        250000,
    ),
    ("rotterdam-zuid", 1, "Wijkteam schulden (demo)", "running", ["debt", "work"], 3, 120000),
    ("rotterdam-zuid", 1, "Renovatie portiekflats (demo)", "preparing", ["housing"], 1, 900000),
    (
        "den-haag-zuidwest",
        1,
        "Jongerenwerk op straat (demo)",
        "running",
        ["youth", "safety"],
        3,
        80000,
    ),
    ("den-haag-zuidwest", 1, "Taalcafé voor ouders (demo)", "idea", ["education"], 0, 15000),
    ("groningen-noord", 1, "Buurtpreventie-app (demo)", "completed", ["safety"], 2, 30000),
    (None, 2, "Kenniskamer gebiedsgerichte aanpak (demo)", "running", ["work", "safety"], 4, 60000),
]


class Command(BaseCommand):
    help = "Load a small fictional demo data set with demo users (never in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        if not Programme.objects.filter(code="ipvl-2020").exists():
            call_command("load_reference_data", stdout=self.stdout)
        # The quarter e-mails of the demo history would only flood the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            with transaction.atomic():
                self.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
        for email, name, role, _areas in DEMO_USERS:
            self.stdout.write(f"  {email:28} {DEMO_PASSWORD}   {role or 'superuser'}: {name}")

    def load(self):
        for email, name, role, area_codes in DEMO_USERS:
            if User.objects.filter(email=email).exists():
                continue
            user = User.objects.create_user(
                email, DEMO_PASSWORD, full_name=name, is_staff=True, is_superuser=role is None
            )
            if role:
                user.groups.add(Group.objects.get(name=role))
            for area in Area.objects.filter(code__in=area_codes):
                AreaMembership.objects.create(user=user, area=area)
        partners = [
            Partner.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for name, kind in PARTNERS
        ]
        programme = Programme.objects.get(code="ipvl-2020")
        for area in Area.objects.filter(code__in={row[0] for row in INTERVENTIONS if row[0]}):
            for partner in partners[:4]:
                AreaPartner.objects.get_or_create(
                    area=area, partner=partner, defaults={"role": AreaPartner.Role.EXECUTING}
                )
            GovernanceArrangement.objects.get_or_create(
                area=area,
                name="Stuurgroep gebiedsaanpak (demo)",
                defaults={
                    "kind": GovernanceArrangement.Kind.STEERING_GROUP,
                    "chair": "de burgemeester",
                    "start_date": datetime.date(2020, 9, 1),
                },
            )
        themes = {theme.code: theme for theme in Theme.objects.all()}
        target_group = TargetGroup.objects.get_or_create(name="Jongeren 12-23 jaar (demo)")[0]
        for area_code, track_number, title, status, theme_codes, lead, amount in INTERVENTIONS:
            if Intervention.objects.filter(title=title).exists():
                continue
            area = Area.objects.get(code=area_code) if area_code else None
            intervention = Intervention.objects.create(
                title=title,
                area=area,
                track=programme.tracks.get(number=track_number),
                status=status,
                start_date=datetime.date(2021, 1, 1) if status != "idea" else None,
                lead_partner=partners[lead],
                description="Fictief voorbeeld voor de demo.",
            )
            intervention.themes.set([themes[code] for code in theme_codes])
            intervention.target_groups.set([target_group])
            FundingLine.objects.create(
                intervention=intervention,
                source=FundingLine.Source.STATE,
                funder=partners[5],
                amount=Decimal(amount),
            )
            FundingLine.objects.create(
                intervention=intervention,
                source=FundingLine.Source.MUNICIPALITY,
                amount=Decimal(amount),
            )
            Indicator.objects.create(
                intervention=intervention,
                name="Bereikte deelnemers (demo)",
                unit=Indicator.Unit.NUMBER,
                baseline_value=Decimal(0),
                baseline_year=2021,
                target_value=Decimal(200),
                target_year=2026,
            )
        self.load_quarters(programme)

    def load_quarters(self, programme):
        """A closed, approved quarter and an open one whose updates start from it."""
        if programme.quarters.exists():
            return
        coordinator = User.objects.get(email="coordinator@demo.example")
        closed = services.quarter_open(
            programme=programme,
            year=2026,
            quarter=3,
            deadline=datetime.date(2026, 10, 15),
            user=coordinator,
        )
        for report in closed.reports.filter(updates__isnull=False).distinct():
            report.overall_light = Light.GREEN
            report.narrative = "Fictieve voortgang voor de demo."
            report.save()
            for update in report.updates.all():
                update.light = Light.AMBER
                update.narrative = "Loopt volgens plan (demo)."
                update.money_spent_to_date = Decimal("10000.00")
                update.risks = "Personeelstekort bij partners (demo)."
                update.save()
            services.report_step(report=report, user=coordinator, step="submit")
            services.report_step(report=report, user=coordinator, step="approve")
        services.quarter_close(period=closed, user=coordinator)
        services.quarter_open(
            programme=programme,
            year=2026,
            quarter=4,
            deadline=datetime.date(2027, 1, 15),
            user=coordinator,
        )
