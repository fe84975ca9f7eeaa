import datetime
from decimal import Decimal

import pytest

from reporting import services
from tests import factories


@pytest.fixture
def quarter(coordinator, track, area_a, area_b):
    """An open quarter with two running interventions with an indicator in area A, one
    in area B, and one that is only an idea (no update)."""
    for title in ("Schoolmaatje", "Wijkagent plus"):
        intervention = factories.InterventionFactory(area=area_a, title=title, track=track)
        factories.IndicatorFactory(intervention=intervention, name=f"Bereik {title}")
    factories.InterventionFactory(area=area_b, title="Werk in B", track=track)
    factories.InterventionFactory(area=area_a, title="Idee", track=track, status="idea")
    return services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )


@pytest.fixture
def report_a(quarter, area_a):
    return quarter.reports.get(area=area_a)


@pytest.fixture
def report_b(quarter, area_b):
    return quarter.reports.get(area=area_b)


MONEY = Decimal("1250.50")


@pytest.fixture
def register(track, area_a):
    theme = factories.ThemeFactory(code="youth")
    factories.ThemeFactory(code="safety")
    partner = factories.PartnerFactory(name="Stichting Wijkkracht")
    existing = factories.InterventionFactory(
        code="IV-BESTAAND",
        title="Bestaand werk",
        area=area_a,
        track=track,
        themes=[theme],
        lead_partner=partner,
    )
    factories.FundingLineFactory(
        intervention=existing, source="state", year=2025, amount=Decimal("100.00")
    )
    factories.FundingLineFactory(
        intervention=existing, source="municipality", year=2025, amount=Decimal("50.00")
    )
    return existing
