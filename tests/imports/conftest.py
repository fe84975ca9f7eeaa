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
