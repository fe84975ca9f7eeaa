"""A partner of the kind ministry names its ministry (and only such a partner does): in
the model, the database, the admin and the API; and the migration that linked the
partners already there."""

import importlib

import pytest

from areas.models import Partner
from programme.models import Ministry
from tests import factories
from tests.clients import api_client
from tests.model_rules import assert_database_refuses, validation_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/partners/"


@pytest.fixture
def inactive():
    return factories.MinistryFactory(code="EZK", name_nl="Ministerie van EZK", active=False)


def test_a_ministry_partner_without_its_ministry_is_refused():
    partner = factories.PartnerFactory.build(kind=Partner.Kind.MINISTRY, ministry=None)

    assert validation_errors(partner) == {"ministry": ["Choose which ministry this partner is."]}
    assert_database_refuses(partner)


def test_a_school_naming_a_ministry_is_refused():
    partner = factories.PartnerFactory.build(
        kind=Partner.Kind.SCHOOL, ministry=Ministry.objects.get(code="OCW")
    )

    assert validation_errors(partner) == {
        "ministry": ["Only a partner of the kind ministry names a ministry."]
    }
    assert_database_refuses(partner)


def test_a_ministry_partner_with_its_ministry_is_valid():
    partner = factories.PartnerFactory.build(
        name="Ministerie van VRO",
        kind=Partner.Kind.MINISTRY,
        ministry=Ministry.objects.get(code="VRO"),
    )

    partner.full_clean()


def test_an_inactive_ministry_takes_no_new_partners_but_keeps_its_own(inactive):
    new = factories.PartnerFactory.build(kind=Partner.Kind.MINISTRY, ministry=inactive)
    assert validation_errors(new) == {
        "ministry": ["This ministry is no longer active: choose another one."]
    }

    kept = factories.PartnerFactory(kind=Partner.Kind.MINISTRY, ministry=inactive)
    kept.contact_name = "J. Jansen"
    kept.full_clean()  # still named by the partner it had

    moved = factories.PartnerFactory(kind=Partner.Kind.MINISTRY)
    moved.ministry = inactive
    assert "ministry" in validation_errors(moved)


def test_the_admin_offers_only_active_ministries_for_a_new_partner(
    client_for, coordinator, inactive
):
    client = client_for(coordinator)

    page = client.get("/admin/areas/partner/add/").content.decode()

    assert "Ministerie van Volkshuisvesting en Ruimtelijke Ordening" in page
    assert "Ministerie van EZK" not in page
    kept = factories.PartnerFactory(kind=Partner.Kind.MINISTRY, ministry=inactive)
    page = client.get(f"/admin/areas/partner/{kept.pk}/change/").content.decode()
    assert "Ministerie van EZK" in page  # its own ministry stays choosable


def test_the_admin_lists_partners_with_their_ministry_and_filters_by_it(client_for, coordinator):
    vro = Ministry.objects.get(code="VRO")
    factories.PartnerFactory(name="Ministerie van VRO", kind=Partner.Kind.MINISTRY, ministry=vro)
    factories.PartnerFactory(name="Brede school De Brug", kind=Partner.Kind.SCHOOL)

    page = (
        client_for(coordinator)
        .get("/admin/areas/partner/", {"ministry__id__exact": vro.pk})
        .content.decode()
    )

    assert "Ministerie van VRO" in page and "Brede school De Brug" not in page


def test_a_liaison_adds_a_ministry_partner_by_the_ministrys_code(liaison_a):
    response = api_client(liaison_a).post(
        URL, {"name": "Ministerie van VRO", "kind": "ministry", "ministry": "VRO"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["ministry"] == "VRO"
    assert Partner.objects.get(name="Ministerie van VRO").ministry.code == "VRO"
    listed = api_client(liaison_a).get(URL, {"ministry": "VRO"}).json()["results"]
    assert [row["name"] for row in listed] == ["Ministerie van VRO"]


@pytest.mark.parametrize(
    ("kind", "ministry", "message"),
    [
        ("ministry", None, "Kies welk ministerie deze partner is."),
        ("school", "OCW", "Alleen een partner van het soort ministerie heeft een ministerie."),
    ],
)
def test_a_partner_of_the_wrong_kind_for_its_ministry_is_refused_in_the_api(
    liaison_a, kind, ministry, message
):
    response = api_client(liaison_a).post(
        URL, {"name": "Onderwijsteam", "kind": kind, "ministry": ministry}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["ministry"] == [message]
    assert not Partner.objects.filter(name="Onderwijsteam").exists()


def test_a_liaison_cannot_relabel_a_partner_of_another_area(liaison_a, area_b):
    partner = factories.AreaPartnerFactory(area=area_b, partner__kind="ministry").partner
    client = api_client(liaison_a)
    etag = client.get(f"{URL}{partner.pk}/")["ETag"]

    response = client.patch(
        f"{URL}{partner.pk}/", {"ministry": "BZK"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 403
    partner.refresh_from_db()
    assert partner.ministry.code == "VRO"


@pytest.fixture
def migration():
    return importlib.import_module("areas.migrations.0005_partner_ministry_link")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Ministerie van VRO (demo)", "VRO"),
        ("Ministerie van Justitie en Veiligheid, directie Veiligheid", "JenV"),
        ("ministerie van onderwijs, cultuur en wetenschap", "OCW"),
        ("Ministry of Finance", "FIN"),
        ("Ministerie van BZK en VRO", None),  # two: a coordinator chooses
        ("Ministerie 3 (bench)", None),
        ("Ministerie van EZK", None),  # EZ only as a word: EZK is not taken for it
    ],
)
def test_the_migration_finds_the_ministry_a_partners_name_names(migration, name, code):
    ministries = list(Ministry.objects.all())

    found = migration.ministry_for(name, ministries)

    assert (found.code if found else None) == code
