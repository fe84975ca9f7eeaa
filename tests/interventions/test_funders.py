"""State money comes from a ministry, and a ministry's money is state money: the rule of a
funding line, in the model, the admin and the API (the import: tests/imports)."""

from decimal import Decimal

import pytest

from areas.models import Partner
from interventions.models import FundingLine
from tests import factories
from tests.clients import api_client
from tests.model_rules import validation_errors

pytestmark = pytest.mark.django_db

STATE, HOUSING = FundingLine.Source.STATE, FundingLine.Source.HOUSING


@pytest.fixture
def ministry():
    return factories.PartnerFactory(name="Ministerie van VRO", kind=Partner.Kind.MINISTRY)


@pytest.fixture
def corporation():
    return factories.PartnerFactory(name="Woonstad Rotterdam", kind=Partner.Kind.HOUSING)


def line(source, funder):
    return factories.FundingLineFactory.build(
        intervention=factories.InterventionFactory(), source=source, funder=funder
    )


def test_state_money_from_a_partner_that_is_no_ministry_is_refused(corporation):
    assert validation_errors(line(STATE, corporation)) == {
        "funder": [
            "The funder of state money is a ministry: choose a partner of the kind ministry, "
            "or leave the funder empty."
        ]
    }


def test_a_ministrys_money_under_another_source_is_refused(ministry):
    assert validation_errors(line(HOUSING, ministry)) == {
        "source": ["Money from a ministry is state money: choose the source 'state (ministry)'."]
    }


@pytest.mark.parametrize(
    ("source", "funder"),
    [(STATE, "ministry"), (STATE, None), (HOUSING, "corporation"), (HOUSING, None)],
)
def test_state_money_from_a_ministry_and_other_money_from_others_are_valid(request, source, funder):
    line(source, funder and request.getfixturevalue(funder)).full_clean()


def test_the_api_refuses_state_money_from_a_partner_that_is_no_ministry(
    coordinator, area_a, corporation
):
    intervention = factories.InterventionFactory(area=area_a)
    response = api_client(coordinator).post(
        "/api/v1/funding-lines/",
        {
            "intervention": intervention.pk,
            "source": "state",
            "funder": corporation.pk,
            "amount": "1000.00",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["funder"] == [
        "Rijksgeld komt van een ministerie: kies als financier een partner van het soort "
        "ministerie, of laat de financier leeg."
    ]
    assert not FundingLine.objects.exists()


def test_the_admin_refuses_state_money_from_a_partner_that_is_no_ministry(
    client_for, coordinator, area_a, corporation
):
    stored = factories.FundingLineFactory(
        intervention=factories.InterventionFactory(area=area_a),
        source=HOUSING,
        funder=corporation,
        amount=Decimal("500.00"),
    )
    url = f"/admin/interventions/fundingline/{stored.pk}/change/"

    response = client_for(coordinator).post(
        url,
        {
            "intervention": stored.intervention_id,
            "source": "state",
            "funder": corporation.pk,
            "amount": "500.00",
            "note": "",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "Rijksgeld komt van een ministerie" in response.content.decode()
    stored.refresh_from_db()
    assert stored.source == HOUSING
