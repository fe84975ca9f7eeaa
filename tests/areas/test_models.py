import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.utils import translation

from areas.models import Area, GovernanceArrangement, Municipality, Neighbourhood, Partner
from tests.factories import (
    AreaFactory,
    AreaPartnerFactory,
    GovernanceArrangementFactory,
    InterventionFactory,
    MunicipalityFactory,
    NeighbourhoodFactory,
    PartnerFactory,
    RegioDealFactory,
)
from tests.model_rules import assert_database_refuses, validation_errors

pytestmark = pytest.mark.django_db

NEIGHBOURHOOD_CODE_MESSAGE = (
    "A wijk code is WK followed by 6 digits, a buurt code BU followed by 8 digits."
)


# Municipality


def test_municipality_with_gm_and_four_digits_is_valid():
    MunicipalityFactory.build(cbs_code="GM0363").full_clean()


@pytest.mark.parametrize("code", ["0363", "GM363", "gm0363", "GMABCD", "BU0363"])
def test_municipality_code_must_be_gm_and_four_digits(code):
    municipality = MunicipalityFactory.build(cbs_code=code)

    errors = validation_errors(municipality)

    assert errors == {"cbs_code": ["Use GM followed by 4 digits, e.g. GM0363."]}
    assert_database_refuses(municipality)


def test_municipality_code_is_unique():
    MunicipalityFactory(cbs_code="GM0599")
    duplicate = MunicipalityFactory.build(cbs_code="GM0599")

    errors = validation_errors(duplicate)

    assert errors == {"cbs_code": ["Municipality with this CBS code already exists."]}
    assert_database_refuses(duplicate)


# Area


def test_area_population_needs_the_year_it_refers_to():
    area = AreaFactory.build(
        municipality=MunicipalityFactory(), population_thousands=215, population_year=None
    )

    errors = validation_errors(area)

    assert errors == {"__all__": ["Give the year the population figure refers to."]}
    assert_database_refuses(area)


def test_area_population_with_year_is_valid():
    AreaFactory.build(
        municipality=MunicipalityFactory(), population_thousands=215, population_year=2025
    ).full_clean()


@pytest.mark.parametrize(
    "field, label",
    [("code", "Code"), ("name", "Name")],
)
def test_area_code_and_name_are_unique(field, label):
    existing = AreaFactory()
    duplicate = AreaFactory.build(municipality=existing.municipality)
    setattr(duplicate, field, getattr(existing, field))

    errors = validation_errors(duplicate)

    assert errors == {field: [f"Area with this {label} already exists."]}
    assert_database_refuses(duplicate)


def test_area_with_an_intervention_cannot_be_deleted():
    intervention = InterventionFactory()

    with pytest.raises(ProtectedError):
        intervention.area.delete()

    assert Area.objects.filter(pk=intervention.area_id).exists()


def test_area_without_interventions_can_be_deleted_with_its_neighbourhoods():
    neighbourhood = NeighbourhoodFactory()

    neighbourhood.area.delete()

    assert not Neighbourhood.objects.filter(pk=neighbourhood.pk).exists()


# Neighbourhood


@pytest.mark.parametrize(
    "kind, code",
    [
        (Neighbourhood.Kind.WIJK, "WK059901"),
        (Neighbourhood.Kind.BUURT, "BU05990101"),
        (Neighbourhood.Kind.WIJK, ""),
        (Neighbourhood.Kind.DISTRICT, ""),
    ],
)
def test_neighbourhood_with_a_valid_code_or_none_is_accepted(kind, code):
    NeighbourhoodFactory.build(
        area=AreaFactory(), kind=kind, cbs_code=code, cbs_year=2024 if code else None
    ).full_clean()


@pytest.mark.parametrize(
    "kind, code",
    [
        (Neighbourhood.Kind.WIJK, "WK05990"),  # 5 digits
        (Neighbourhood.Kind.WIJK, "WK0599011"),  # 7 digits
        (Neighbourhood.Kind.WIJK, "BU05990101"),  # a buurt code on a wijk
        (Neighbourhood.Kind.BUURT, "WK059901"),  # a wijk code on a buurt
        (Neighbourhood.Kind.BUURT, "BU0599010"),  # 7 digits
        (Neighbourhood.Kind.BUURT, "bu05990101"),
    ],
)
def test_neighbourhood_code_must_match_its_kind(kind, code):
    neighbourhood = NeighbourhoodFactory.build(
        area=AreaFactory(), kind=kind, cbs_code=code, cbs_year=2024
    )

    errors = validation_errors(neighbourhood)

    assert errors == {"__all__": [NEIGHBOURHOOD_CODE_MESSAGE]}
    assert_database_refuses(neighbourhood)


def test_neighbourhood_code_needs_its_year():
    neighbourhood = NeighbourhoodFactory.build(
        area=AreaFactory(), kind=Neighbourhood.Kind.WIJK, cbs_code="WK059901", cbs_year=None
    )

    errors = validation_errors(neighbourhood)

    assert errors == {"__all__": ["Give the year of the CBS code."]}
    assert_database_refuses(neighbourhood)


def test_neighbourhood_name_is_unique_within_an_area():
    existing = NeighbourhoodFactory(name="Feijenoord")
    duplicate = NeighbourhoodFactory.build(area=existing.area, name="Feijenoord")

    errors = validation_errors(duplicate)

    assert errors == {"__all__": ["This area already has a neighbourhood with this name."]}
    assert_database_refuses(duplicate)


def test_same_neighbourhood_name_is_allowed_in_another_area():
    NeighbourhoodFactory(name="Centrum")

    NeighbourhoodFactory.build(area=AreaFactory(), name="Centrum").full_clean()


# Partner and partnership


def test_partner_is_linked_to_an_area_only_once():
    existing = AreaPartnerFactory()
    duplicate = AreaPartnerFactory.build(area=existing.area, partner=existing.partner)

    errors = validation_errors(duplicate)

    assert errors == {"__all__": ["This partner is already linked to this area."]}
    assert_database_refuses(duplicate)


def test_partnership_end_date_cannot_be_before_start_date():
    partnership = AreaPartnerFactory.build(
        area=AreaFactory(),
        partner=PartnerFactory(),
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2023, 12, 31),
    )

    errors = validation_errors(partnership)

    assert errors == {"__all__": ["The end date cannot be before the start date."]}
    assert_database_refuses(partnership)


def test_partnership_may_end_on_the_day_it_starts():
    AreaPartnerFactory.build(
        area=AreaFactory(),
        partner=PartnerFactory(),
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 1, 1),
    ).full_clean()


def test_partner_linked_to_an_area_cannot_be_deleted():
    partnership = AreaPartnerFactory()

    with pytest.raises(ProtectedError):
        partnership.partner.delete()

    assert Partner.objects.filter(pk=partnership.partner_id).exists()


# Regio Deal


@pytest.mark.parametrize("field", ["state_contribution", "regional_contribution"])
def test_regio_deal_amounts_cannot_be_negative(field):
    deal = RegioDealFactory.build(**{field: Decimal("-0.01")})

    errors = validation_errors(deal)

    assert errors == {field: ["An amount cannot be negative."]}
    assert_database_refuses(deal)


def test_regio_deal_end_year_cannot_be_before_start_year():
    deal = RegioDealFactory.build(start_year=2020, end_year=2019)

    errors = validation_errors(deal)

    assert errors == {"__all__": ["The end year cannot be before the start year."]}
    assert_database_refuses(deal)


@pytest.mark.parametrize("regional", [Decimal("1000000.00"), Decimal("1500000.00")])
def test_regio_deal_without_cofinancing_warning_when_region_matches_the_state(regional):
    deal = RegioDealFactory.build(
        state_contribution=Decimal("1000000.00"), regional_contribution=regional
    )

    assert deal.cofinancing_warning == ""


def test_regio_deal_warns_when_region_pays_less_than_the_state():
    deal = RegioDealFactory.build(
        state_contribution=Decimal("1000000.00"), regional_contribution=Decimal("250000.50")
    )

    with translation.override("en"):
        warning = str(deal.cofinancing_warning)
        deal.full_clean()  # a warning, not an error

    assert "less than the state contribution" in warning
    assert "€ 250,000.50" in warning
    assert "€ 1,000,000.00" in warning


def test_regio_deal_warns_when_regional_contribution_is_unknown():
    deal = RegioDealFactory.build(
        state_contribution=Decimal("15000000.00"), regional_contribution=None
    )

    with translation.override("en"):
        warning = str(deal.cofinancing_warning)
        deal.full_clean()  # a warning, not an error

    assert "The regional contribution is not known" in warning
    assert "€ 15,000,000.00" in warning


# Governance arrangement


def test_governance_end_date_cannot_be_before_start_date():
    arrangement = GovernanceArrangementFactory.build(
        area=AreaFactory(),
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2023, 1, 1),
    )

    errors = validation_errors(arrangement)

    assert errors == {"__all__": ["The end date cannot be before the start date."]}
    assert_database_refuses(arrangement)


def test_governance_name_is_unique_within_an_area():
    existing = GovernanceArrangementFactory()
    duplicate = GovernanceArrangementFactory.build(area=existing.area, name=existing.name)

    errors = validation_errors(duplicate)

    assert errors == {"__all__": ["This area already has an arrangement with this name."]}
    assert_database_refuses(duplicate)


def test_only_a_regio_deal_arrangement_has_a_regio_deal():
    area = AreaFactory()
    deal = RegioDealFactory()
    deal.areas.add(area)
    arrangement = GovernanceArrangementFactory.build(
        area=area, kind=GovernanceArrangement.Kind.STEERING_GROUP, regio_deal=deal
    )

    errors = validation_errors(arrangement)

    assert errors == {"__all__": ["Only an arrangement of the kind Regio Deal has one."]}
    assert_database_refuses(arrangement)


def test_regio_deal_arrangement_needs_its_regio_deal():
    arrangement = GovernanceArrangementFactory.build(
        area=AreaFactory(), kind=GovernanceArrangement.Kind.REGIO_DEAL, regio_deal=None
    )

    errors = validation_errors(arrangement)

    assert errors == {"regio_deal": ["Choose the Regio Deal of this arrangement."]}


def test_regio_deal_arrangement_needs_a_deal_that_covers_the_area():
    arrangement = GovernanceArrangementFactory.build(
        area=AreaFactory(),
        kind=GovernanceArrangement.Kind.REGIO_DEAL,
        regio_deal=RegioDealFactory(),
    )

    errors = validation_errors(arrangement)

    assert errors == {"regio_deal": ["This Regio Deal does not cover this area."]}


def test_regio_deal_arrangement_with_a_deal_covering_the_area_is_valid():
    area = AreaFactory()
    deal = RegioDealFactory()
    deal.areas.add(area)

    GovernanceArrangementFactory.build(
        area=area, kind=GovernanceArrangement.Kind.REGIO_DEAL, regio_deal=deal
    ).full_clean()


def test_regio_deal_used_by_an_arrangement_cannot_be_deleted():
    area = AreaFactory()
    deal = RegioDealFactory()
    deal.areas.add(area)
    GovernanceArrangementFactory(
        area=area, kind=GovernanceArrangement.Kind.REGIO_DEAL, regio_deal=deal
    )

    with pytest.raises(ProtectedError):
        deal.delete()


def test_municipality_with_an_area_cannot_be_deleted():
    area = AreaFactory()

    with pytest.raises(ProtectedError):
        area.municipality.delete()

    assert Municipality.objects.filter(pk=area.municipality_id).exists()


def test_deleting_a_partner_that_is_another_partner_of_an_intervention_is_refused():
    from django.db.models import ProtectedError

    from tests.factories import InterventionFactory, PartnerFactory

    partner = PartnerFactory()
    InterventionFactory().partners.add(partner)
    with pytest.raises(ProtectedError):
        partner.delete()


def test_admin_lists_many_to_many_links_as_protected(superuser_client):
    from django.urls import reverse

    from tests.factories import InterventionFactory

    theme = InterventionFactory(title="Huiswerkklas").themes.get()
    response = superuser_client.get(reverse("admin:programme_theme_delete", args=[theme.pk]))
    assert response.context["protected"]
    assert "Huiswerkklas" in " ".join(response.context["protected"])
