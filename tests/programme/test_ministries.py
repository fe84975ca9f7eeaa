"""Ministries are data: seeded with the programme's ministries, read through the API,
and what escalations are addressed to (by code, as before)."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from programme.models import Ministry
from reporting.models import Escalation
from tests import factories
from tests.clients import api_client

pytestmark = pytest.mark.django_db


def test_the_programmes_ministries_are_seeded_with_vro_and_without_other():
    codes = set(Ministry.objects.values_list("code", flat=True))
    assert {"VRO", "BZK", "JenV", "OCW", "SZW", "VWS", "FIN", "EZ"} <= codes
    assert "other" not in codes
    vro = Ministry.objects.get(code="VRO")
    assert vro.name_nl == "Ministerie van Volkshuisvesting en Ruimtelijke Ordening"
    assert vro.active


def test_every_role_reads_the_ministries_by_code(liaison_a, viewer):
    for user in (liaison_a, viewer):
        response = api_client(user).get("/api/v1/ministries/", {"active": "true"})
        assert response.status_code == 200
        codes = [row["code"] for row in response.json()["results"]]
        assert codes[0] == "VRO"  # the seeded order: the lead ministry first
        assert "BZK" in codes


def test_anonymous_cannot_read_the_ministries(db):
    assert api_client().get("/api/v1/ministries/").status_code in (401, 403)


def test_only_coordinators_keep_the_ministries_in_the_admin(client_for, coordinator, liaison_a):
    bzk = Ministry.objects.get(code="BZK")
    url = f"/admin/programme/ministry/{bzk.pk}/change/"
    assert client_for(coordinator).get(url).status_code == 200
    response = client_for(liaison_a).post(url, {"code": "XX"})
    assert response.status_code in (302, 403)
    bzk.refresh_from_db()
    assert bzk.code == "BZK"


def test_an_escalation_is_addressed_to_a_ministry_by_its_code(liaison_a, area_a):
    report = factories.AreaReportFactory(area=area_a)
    data = {
        "report": report.pk,
        "title": "Regels knellen",
        "description": "De regels staan maatwerk in de weg.",
        "kind": "rules",
        "addressed_to": "VRO",
    }
    response = api_client(liaison_a).post("/api/v1/escalations/", data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["addressed_to"] == "VRO"
    assert Escalation.objects.get().addressed_to.code == "VRO"
    listed = api_client(liaison_a).get("/api/v1/escalations/", {"addressed_to": "VRO"}).json()
    assert [row["title"] for row in listed["results"]] == ["Regels knellen"]


def test_an_unknown_ministry_code_is_refused(liaison_a, area_a):
    report = factories.AreaReportFactory(area=area_a)
    data = {
        "report": report.pk,
        "title": "Regels knellen",
        "description": "De regels staan maatwerk in de weg.",
        "kind": "rules",
        "addressed_to": "XYZ",
    }
    response = api_client(liaison_a).post("/api/v1/escalations/", data, format="json")
    assert response.status_code == 400
    assert "addressed_to" in str(response.json())
    assert not Escalation.objects.exists()


def test_an_inactive_ministry_takes_no_new_escalations_but_keeps_its_old_ones(area_a):
    old = factories.MinistryFactory(code="EZK", name_nl="Ministerie van EZK")
    escalation = factories.EscalationFactory(report__area=area_a, addressed_to=old)
    Ministry.objects.filter(pk=old.pk).update(active=False)
    old.refresh_from_db()
    escalation = Escalation.objects.get(pk=escalation.pk)
    escalation.title = "Nog steeds aan EZK"
    escalation.full_clean()  # unchanged ministry: still valid
    new = Escalation(
        report=escalation.report,
        title="Nieuw",
        description="Regels knellen.",
        kind="rules",
        addressed_to=old,
    )
    with pytest.raises(ValidationError) as refused:
        new.full_clean()
    assert "addressed_to" in refused.value.message_dict


def test_a_ministry_with_escalations_cannot_be_deleted(area_a):
    escalation = factories.EscalationFactory(report__area=area_a)
    with pytest.raises(ProtectedError):
        escalation.addressed_to.delete()
