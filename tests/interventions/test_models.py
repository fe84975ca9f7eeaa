import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, Sum
from django.utils import translation

from interventions.models import FundingLine, Indicator, Intervention
from tests.factories import (
    AreaFactory,
    FundingLineFactory,
    IndicatorFactory,
    InterventionFactory,
    PartnerFactory,
    ThemeFactory,
    TrackFactory,
)
from tests.model_rules import assert_database_refuses, validation_errors

pytestmark = pytest.mark.django_db


# Intervention


def test_intervention_end_date_cannot_be_before_start_date():
    intervention = InterventionFactory(start_date=datetime.date(2024, 1, 1))
    intervention.end_date = datetime.date(2023, 12, 31)

    errors = validation_errors(intervention)

    assert errors == {"__all__": ["The end date cannot be before the start date."]}
    assert_database_refuses(intervention)


def test_intervention_area_must_take_part_in_its_track():
    intervention = InterventionFactory()
    intervention.track = TrackFactory(programme=intervention.track.programme, number=2)

    errors = validation_errors(intervention)

    assert errors == {"track": ["The area does not take part in this track."]}


def test_programme_wide_intervention_has_no_area_and_any_track():
    intervention = InterventionFactory.build(area=None, track=TrackFactory())

    intervention.full_clean()

    assert intervention.is_programme_wide


@pytest.mark.parametrize("status", [Intervention.Status.RUNNING, Intervention.Status.COMPLETED])
def test_running_or_completed_intervention_needs_a_start_date(status):
    intervention = InterventionFactory(status=status)
    intervention.start_date = None

    errors = validation_errors(intervention)

    assert errors == {"start_date": ["A running or completed intervention has a start date."]}


@pytest.mark.parametrize(
    "status",
    [Intervention.Status.IDEA, Intervention.Status.PREPARING, Intervention.Status.STOPPED],
)
def test_intervention_not_yet_running_needs_no_start_date(status):
    intervention = InterventionFactory(status=status, start_date=None)

    intervention.full_clean()


def test_intervention_needs_at_least_one_theme():
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            Intervention.validate_themes([])
        assert excinfo.value.messages == ["Choose at least one theme."]
    assert excinfo.value.code == "themes_required"


def test_intervention_with_one_theme_passes_the_theme_rule():
    Intervention.validate_themes([ThemeFactory()])


def test_new_intervention_gets_a_unique_code():
    first = InterventionFactory()
    second = InterventionFactory()

    assert re.fullmatch(r"IV-[0-9A-F]{8}", first.code)
    assert re.fullmatch(r"IV-[0-9A-F]{8}", second.code)
    assert first.code != second.code


def test_intervention_code_is_unique():
    existing = InterventionFactory()
    duplicate = InterventionFactory.build(
        code=existing.code, area=existing.area, track=existing.track
    )

    errors = validation_errors(duplicate)

    assert errors == {"code": ["Intervention with this Code already exists."]}
    assert_database_refuses(duplicate)


def test_lead_partner_of_an_intervention_cannot_be_deleted():
    partner = PartnerFactory()
    InterventionFactory(lead_partner=partner)

    with pytest.raises(ProtectedError):
        partner.delete()


def test_track_with_interventions_cannot_be_deleted():
    intervention = InterventionFactory(area=None, track=TrackFactory())

    with pytest.raises(ProtectedError):
        intervention.track.delete()


# Funding


def test_funding_amount_cannot_be_negative():
    line = FundingLineFactory.build(intervention=InterventionFactory(), amount=Decimal("-0.01"))

    errors = validation_errors(line)

    assert errors == {"amount": ["An amount cannot be negative."]}
    assert_database_refuses(line)


def test_funding_amount_of_zero_is_allowed():
    FundingLineFactory.build(intervention=InterventionFactory(), amount=Decimal("0")).full_clean()


@pytest.mark.parametrize(
    "amount, stored",
    [
        (Decimal("1234.5"), "1234.50"),
        (Decimal("0.10"), "0.10"),
        (Decimal("123456789012.34"), "123456789012.34"),
    ],
)
def test_funding_amount_stays_a_decimal_with_two_places(amount, stored):
    line = FundingLineFactory(amount=amount)

    line.refresh_from_db()

    assert isinstance(line.amount, Decimal)
    assert str(line.amount) == stored


def test_funding_total_adds_up_exactly():
    intervention = InterventionFactory()
    for _ in range(3):
        FundingLineFactory(intervention=intervention, amount=Decimal("0.10"))

    total = FundingLine.objects.filter(intervention=intervention).aggregate(t=Sum("amount"))["t"]

    assert total == Decimal("0.30")


def test_funding_lines_go_with_their_intervention():
    line = FundingLineFactory()

    line.intervention.delete()

    assert not FundingLine.objects.filter(pk=line.pk).exists()


def test_funder_of_a_funding_line_cannot_be_deleted():
    line = FundingLineFactory(funder=PartnerFactory())

    with pytest.raises(ProtectedError):
        line.funder.delete()


# Indicators


@pytest.mark.parametrize(
    "field, value",
    [
        ("baseline_value", Decimal("100.01")),
        ("baseline_value", Decimal("-1")),
        ("target_value", Decimal("101")),
        ("target_value", Decimal("-0.01")),
    ],
)
def test_percentage_indicator_lies_between_0_and_100(field, value):
    indicator = IndicatorFactory.build(
        intervention=InterventionFactory(), unit=Indicator.Unit.PERCENTAGE, **{field: value}
    )

    errors = validation_errors(indicator)

    assert errors == {"__all__": ["A percentage lies between 0 and 100."]}
    assert_database_refuses(indicator)


def test_percentage_indicator_may_be_0_or_100():
    IndicatorFactory.build(
        intervention=InterventionFactory(),
        unit=Indicator.Unit.PERCENTAGE,
        baseline_value=Decimal("0"),
        target_value=Decimal("100"),
    ).full_clean()


def test_number_indicator_may_exceed_100():
    IndicatorFactory.build(
        intervention=InterventionFactory(),
        unit=Indicator.Unit.NUMBER,
        baseline_value=Decimal("150"),
        target_value=Decimal("450"),
    ).full_clean()


def test_indicator_target_year_cannot_be_before_baseline_year():
    indicator = IndicatorFactory.build(
        intervention=InterventionFactory(), baseline_year=2024, target_year=2023
    )

    errors = validation_errors(indicator)

    assert errors == {"__all__": ["The target year cannot be before the baseline year."]}
    assert_database_refuses(indicator)


def test_indicator_name_is_unique_per_intervention():
    existing = IndicatorFactory(name="Voortijdig schoolverlaters")
    duplicate = IndicatorFactory.build(
        intervention=existing.intervention, name="Voortijdig schoolverlaters"
    )

    errors = validation_errors(duplicate)

    assert errors == {"__all__": ["This intervention already has an indicator with this name."]}
    assert_database_refuses(duplicate)


def test_same_indicator_name_is_allowed_on_another_intervention():
    IndicatorFactory(name="Voortijdig schoolverlaters")

    IndicatorFactory.build(
        intervention=InterventionFactory(), name="Voortijdig schoolverlaters"
    ).full_clean()


def test_intervention_with_indicators_cannot_be_deleted():
    indicator = IndicatorFactory()

    with pytest.raises(ProtectedError):
        indicator.intervention.delete()


def test_intervention_area_from_another_programme_track_is_rejected():
    area = AreaFactory()
    other_track = TrackFactory()
    intervention = InterventionFactory.build(area=area, track=other_track)

    errors = validation_errors(intervention)

    assert errors == {"track": ["The area does not take part in this track."]}
