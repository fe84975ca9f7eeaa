"""Writes through the REST API: If-Match and ETags, scope on every key, read-only
fields, the workflow actions, the closed-quarter lock, one error shape, body and page
size caps, and filters that never widen the user's scope."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import ApiToken
from interventions.models import FundingLine, Intervention
from programme.models import ReportingPeriod, Theme
from reporting.models import AreaReport, Escalation, Light, QuarterTransition, ReportTransition
from tests import factories
from tests.clients import api_client
from tests.conftest import make_user

ERROR_KEYS = {"status", "code", "detail", "errors"}
MISSING = 999_999


def token_client(user, *, can_write):
    _token, key = ApiToken.objects.create(user=user, name="Rapportage", can_write=can_write)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_error(response, status, code=None):
    """The one documented error shape: ``{status, code, detail, errors}``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body


def etag_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["ETag"]
    return response["ETag"]


def write(client, method, url, data=None, *, etag=None):
    headers = {} if etag is None else {"HTTP_IF_MATCH": etag}
    return getattr(client, method)(url, data, format="json", **headers)


def intervention_url(intervention):
    return f"/api/v1/interventions/{intervention.pk}/"


@pytest.fixture
def period(track):
    return factories.ReportingPeriodFactory(programme=track.programme)


@pytest.fixture
def intervention_a(area_a):
    return factories.InterventionFactory(area=area_a, title="Buurtcoaches A")


@pytest.fixture
def intervention_b(area_b):
    return factories.InterventionFactory(area=area_b, title="Geheim project B")


@pytest.fixture
def report_a(area_a, period):
    return factories.AreaReportFactory(area=area_a, period=period)


@pytest.fixture
def report_b(area_b, period):
    return factories.AreaReportFactory(area=area_b, period=period)


@pytest.fixture
def update_a(report_a, intervention_a):
    return factories.ProgressUpdateFactory(report=report_a, intervention=intervention_a)


@pytest.fixture
def update_b(report_b, intervention_b):
    return factories.ProgressUpdateFactory(report=report_b, intervention=intervention_b)


def put_in(report, status):
    report.status = status
    report.save()
    report.refresh_from_db()
    return report


# ---------------------------------------------------------------------------
# ETag and If-Match


def test_a_detail_carries_an_etag_that_follows_the_record(coordinator, intervention_a):
    client = api_client(coordinator)
    first = etag_of(client, intervention_url(intervention_a))
    assert first == etag_of(client, intervention_url(intervention_a))  # stable
    intervention_a.title = "Anders"
    intervention_a.save()
    assert etag_of(client, intervention_url(intervention_a)) != first


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_change_without_if_match_is_428(method, coordinator, intervention_a):
    response = write(
        api_client(coordinator), method, intervention_url(intervention_a), {"title": "X"}
    )
    assert_error(response, 428, "precondition_required")
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Buurtcoaches A"


def test_a_delete_without_if_match_is_428(coordinator, intervention_a):
    line = factories.FundingLineFactory(intervention=intervention_a)
    response = write(api_client(coordinator), "delete", f"/api/v1/funding-lines/{line.pk}/")
    assert_error(response, 428, "precondition_required")
    assert FundingLine.objects.filter(pk=line.pk).exists()


def test_a_stale_etag_is_412_and_changes_nothing(coordinator, intervention_a):
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    stale = etag_of(client, url)
    # Someone else saves in between.
    other = Intervention.objects.get(pk=intervention_a.pk)
    other.title = "Eerst opgeslagen"
    other.save()

    for method, data in [
        ("patch", {"title": "Te laat"}),
        ("put", {**client.get(url).json(), "title": "Te laat"}),
    ]:
        assert_error(write(client, method, url, data, etag=stale), 412, "precondition_failed")
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Eerst opgeslagen"
    assert intervention_a.version == 2


def test_a_stale_etag_on_delete_is_412(coordinator, intervention_a):
    client = api_client(coordinator)
    line = factories.FundingLineFactory(intervention=intervention_a)
    url = f"/api/v1/funding-lines/{line.pk}/"
    stale = etag_of(client, url)
    line.amount = "20000.00"
    line.save()
    assert_error(write(client, "delete", url, etag=stale), 412, "precondition_failed")
    assert FundingLine.objects.filter(pk=line.pk).exists()
    assert write(client, "delete", url, etag=etag_of(client, url)).status_code == 204
    assert not FundingLine.objects.filter(pk=line.pk).exists()


def test_the_current_etag_saves_and_returns_the_new_etag(coordinator, intervention_a):
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    before = etag_of(client, url)
    response = write(client, "patch", url, {"title": "Nieuw"}, etag=before)
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Nieuw"
    assert response["ETag"] != before
    assert response["ETag"] == etag_of(client, url)
    # The old ETag is now stale.
    assert_error(write(client, "patch", url, {"title": "Weer"}, etag=before), 412)


def test_put_with_the_current_etag(coordinator, intervention_a):
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    current = client.get(url)
    data = {**current.json(), "title": "Volledig vervangen"}
    response = write(client, "put", url, data, etag=current["ETag"])
    assert response.status_code == 200, response.content
    assert response["ETag"] == etag_of(client, url)
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Volledig vervangen"


# ---------------------------------------------------------------------------
# Scope on writes


def test_a_liaison_changes_an_intervention_of_their_own_area(liaison_a, intervention_a):
    client = api_client(liaison_a)
    url = intervention_url(intervention_a)
    response = write(client, "patch", url, {"title": "Eigen werk"}, etag=etag_of(client, url))
    assert response.status_code == 200, response.content
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Eigen werk"


def test_another_areas_intervention_answers_as_if_it_did_not_exist(
    coordinator, liaison_a, intervention_b
):
    # Even with the right ETag (read by someone who may see it).
    real_etag = etag_of(api_client(coordinator), intervention_url(intervention_b))
    client = api_client(liaison_a)
    for method in ("patch", "put"):
        other = write(
            client, method, intervention_url(intervention_b), {"title": "X"}, etag=real_etag
        )
        missing = write(
            client, method, f"/api/v1/interventions/{MISSING}/", {"title": "X"}, etag=real_etag
        )
        assert_error(other, 404, "not_found")
        assert other.json() == missing.json()
    intervention_b.refresh_from_db()
    assert intervention_b.title == "Geheim project B"


def test_a_liaison_cannot_create_an_intervention_in_another_area(liaison_a, area_b, track):
    theme = factories.ThemeFactory()
    response = write(
        api_client(liaison_a),
        "post",
        "/api/v1/interventions/",
        {"title": "Ingeschoven", "track": track.pk, "area": area_b.pk, "themes": [theme.pk]},
    )
    body = assert_error(response, 400, "invalid")
    assert "area" in body["errors"]
    assert not Intervention.objects.filter(title="Ingeschoven").exists()


def test_a_liaison_creates_an_intervention_in_their_own_area(liaison_a, area_a, track):
    theme = factories.ThemeFactory()
    response = write(
        api_client(liaison_a),
        "post",
        "/api/v1/interventions/",
        {"title": "Nieuw in A", "track": track.pk, "area": area_a.pk, "themes": [theme.pk]},
    )
    assert response.status_code == 201, response.content
    assert Intervention.objects.get(title="Nieuw in A").area == area_a


def test_a_liaison_cannot_create_programme_wide_work(liaison_a, track):
    theme = factories.ThemeFactory()
    response = write(
        api_client(liaison_a),
        "post",
        "/api/v1/interventions/",
        {"title": "Landelijk", "track": track.pk, "area": None, "themes": [theme.pk]},
    )
    body = assert_error(response, 400, "invalid")
    assert "non_field_errors" in body["errors"]
    assert not Intervention.objects.filter(title="Landelijk").exists()


def test_a_liaison_cannot_move_an_intervention_out_of_their_areas(
    liaison_a, intervention_a, area_b
):
    client = api_client(liaison_a)
    url = intervention_url(intervention_a)
    moved = write(client, "patch", url, {"area": area_b.pk}, etag=etag_of(client, url))
    assert "area" in assert_error(moved, 400, "invalid")["errors"]
    made_wide = write(client, "patch", url, {"area": None}, etag=etag_of(client, url))
    assert "non_field_errors" in assert_error(made_wide, 400, "invalid")["errors"]
    intervention_a.refresh_from_db()
    assert intervention_a.area_id == liaison_a.area_memberships.get().area_id
    assert intervention_a.version == 1


def test_the_models_rules_hold_in_the_api(coordinator, intervention_a):
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    other_track = factories.TrackFactory(programme=intervention_a.track.programme, number=2)
    for data, field in [
        ({"track": other_track.pk}, "track"),
        ({"start_date": "2024-01-01", "end_date": "2023-01-01"}, "non_field_errors"),
        ({"themes": []}, "themes"),
        ({"start_date": None}, "start_date"),  # running work has a start date
    ]:
        response = write(client, "patch", url, data, etag=etag_of(client, url))
        assert field in assert_error(response, 400, "invalid")["errors"], (data, response.json())
    intervention_a.refresh_from_db()
    assert intervention_a.version == 1


def test_a_funding_line_cannot_be_put_on_another_areas_intervention(
    liaison_a, intervention_a, intervention_b
):
    client = api_client(liaison_a)
    created = write(
        client,
        "post",
        "/api/v1/funding-lines/",
        {"intervention": intervention_b.pk, "source": "state", "amount": "100.00"},
    )
    assert "intervention" in assert_error(created, 400, "invalid")["errors"]
    assert not FundingLine.objects.filter(intervention=intervention_b).exists()

    line = factories.FundingLineFactory(intervention=intervention_a)
    url = f"/api/v1/funding-lines/{line.pk}/"
    moved = write(
        client, "patch", url, {"intervention": intervention_b.pk}, etag=etag_of(client, url)
    )
    assert "intervention" in assert_error(moved, 400, "invalid")["errors"]
    line.refresh_from_db()
    assert line.intervention == intervention_a


def test_a_liaison_adds_a_funding_line_to_their_own_intervention(liaison_a, intervention_a):
    response = write(
        api_client(liaison_a),
        "post",
        "/api/v1/funding-lines/",
        {"intervention": intervention_a.pk, "source": "municipality", "amount": "250.00"},
    )
    assert response.status_code == 201, response.content


def test_a_viewer_cannot_write(coordinator, viewer, intervention_a):
    url = intervention_url(intervention_a)
    client = api_client(viewer)
    response = write(client, "patch", url, {"title": "X"}, etag=etag_of(client, url))
    assert_error(response, 403, "permission_denied")
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Buurtcoaches A"


def test_anonymous_cannot_write(coordinator, intervention_a):
    url = intervention_url(intervention_a)
    current = etag_of(api_client(coordinator), url)
    response = write(APIClient(), "patch", url, {"title": "X"}, etag=current)
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code)
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Buurtcoaches A"


def test_a_read_only_token_cannot_write_even_for_a_coordinator(coordinator, intervention_a):
    url = intervention_url(intervention_a)
    reader = token_client(coordinator, can_write=False)
    response = write(reader, "patch", url, {"title": "X"}, etag=etag_of(reader, url))
    assert_error(response, 403, "permission_denied")
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Buurtcoaches A"

    writer = token_client(coordinator, can_write=True)
    response = write(writer, "patch", url, {"title": "Via token"}, etag=etag_of(writer, url))
    assert response.status_code == 200, response.content
    intervention_a.refresh_from_db()
    assert intervention_a.title == "Via token"


def test_a_bad_token_is_refused(intervention_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nietgeldig")
    response = client.get(intervention_url(intervention_a))
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code)


# ---------------------------------------------------------------------------
# Mass assignment: read-only fields stay what they were


def test_a_liaison_cannot_approve_by_patching_the_status(liaison_a, report_a):
    client = api_client(liaison_a)
    url = f"/api/v1/area-reports/{report_a.pk}/"
    response = write(
        client,
        "patch",
        url,
        {"status": "approved", "narrative": "Gaat goed.", "submitted_at": "2020-01-01T00:00:00Z"},
        etag=etag_of(client, url),
    )
    assert response.status_code == 200, response.content
    report_a.refresh_from_db()
    assert report_a.status == AreaReport.Status.DRAFT
    assert report_a.narrative == "Gaat goed."
    assert report_a.submitted_at is None
    assert not ReportTransition.objects.exists()


def test_a_report_cannot_be_moved_to_another_area(liaison_a, report_a, area_b):
    client = api_client(liaison_a)
    url = f"/api/v1/area-reports/{report_a.pk}/"
    response = write(client, "patch", url, {"area": area_b.pk}, etag=etag_of(client, url))
    assert response.status_code == 200, response.content
    report_a.refresh_from_db()
    assert report_a.area_id != area_b.pk


def test_a_liaison_cannot_answer_an_escalation(liaison_a, report_a):
    escalation = factories.EscalationFactory(report=report_a)
    client = api_client(liaison_a)
    url = f"/api/v1/escalations/{escalation.pk}/"
    response = write(
        client,
        "patch",
        url,
        {"answer": "Toegekend.", "status": "resolved", "answered_at": "2026-01-01", "title": "Nu"},
        etag=etag_of(client, url),
    )
    assert response.status_code == 200, response.content
    escalation.refresh_from_db()
    assert escalation.title == "Nu"
    assert escalation.answer == ""
    assert escalation.status == Escalation.Status.OPEN
    assert escalation.answered_at is None


def test_a_coordinator_records_the_answer(coordinator, report_a):
    escalation = factories.EscalationFactory(report=report_a)
    client = api_client(coordinator)
    url = f"/api/v1/escalations/{escalation.pk}/"
    response = write(
        client, "patch", url, {"answer": "Ja.", "status": "resolved"}, etag=etag_of(client, url)
    )
    assert response.status_code == 200, response.content
    escalation.refresh_from_db()
    assert (escalation.answer, escalation.status) == ("Ja.", Escalation.Status.RESOLVED)


def test_the_version_cannot_be_set(coordinator, intervention_a):
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    response = write(
        client, "patch", url, {"version": 99, "title": "Versie"}, etag=etag_of(client, url)
    )
    assert response.status_code == 200, response.content
    intervention_a.refresh_from_db()
    assert intervention_a.version == 2
    assert response.json()["version"] == 2


# ---------------------------------------------------------------------------
# The workflow through the API


def step(client, report, name, comment=None):
    data = {} if comment is None else {"comment": comment}
    return client.post(f"/api/v1/area-reports/{report.pk}/{name}/", data, format="json")


def test_a_liaison_submits_their_own_report(liaison_a, report_a, update_a):
    report_a.overall_light = Light.GREEN
    report_a.save()
    update_a.light = Light.GREEN
    update_a.save()
    client = api_client(liaison_a)
    response = step(client, report_a, "submit")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert response["ETag"] == etag_of(client, f"/api/v1/area-reports/{report_a.pk}/")
    report_a.refresh_from_db()
    assert report_a.status == AreaReport.Status.SUBMITTED
    transition = ReportTransition.objects.get(report=report_a)
    assert (transition.actor, transition.to_status) == (liaison_a, "submitted")


def test_an_incomplete_report_is_not_submitted(liaison_a, report_a, update_a):
    response = step(api_client(liaison_a), report_a, "submit")
    body = assert_error(response, 400, "invalid")
    with translation.override("nl"):
        reason = translation.gettext("Give the report's overall light.")
    messages = [m for ms in body["errors"].values() for m in ms]
    assert reason in messages
    report_a.refresh_from_db()
    assert report_a.status == AreaReport.Status.DRAFT


def test_a_liaison_cannot_submit_another_areas_report(liaison_a, report_b):
    response = step(api_client(liaison_a), report_b, "submit")
    assert_error(response, 404, "not_found")


def test_a_liaison_cannot_approve(liaison_a, report_a):
    put_in(report_a, AreaReport.Status.SUBMITTED)
    assert_error(step(api_client(liaison_a), report_a, "approve"), 403)
    report_a.refresh_from_db()
    assert report_a.status == AreaReport.Status.SUBMITTED


def test_a_step_from_the_wrong_state_is_409(coordinator, report_a):
    assert_error(step(api_client(coordinator), report_a, "approve"), 409, "step_not_allowed")
    report_a.refresh_from_db()
    assert report_a.status == AreaReport.Status.DRAFT


def test_returning_needs_a_comment(coordinator, report_a):
    put_in(report_a, AreaReport.Status.SUBMITTED)
    client = api_client(coordinator)
    for comment in (None, "", "   "):
        body = assert_error(step(client, report_a, "return", comment), 400, "invalid")
        assert "comment" in body["errors"]
    report_a.refresh_from_db()
    assert report_a.status == AreaReport.Status.SUBMITTED
    response = step(client, report_a, "return", "Graag de cijfers aanvullen.")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "returned"


def test_a_coordinator_approves(coordinator, report_a):
    put_in(report_a, AreaReport.Status.SUBMITTED)
    response = step(api_client(coordinator), report_a, "approve")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"


def close(client, period):
    return client.post(f"/api/v1/quarters/{period.pk}/close/", format="json")


def test_a_coordinator_closes_the_quarter(coordinator, period):
    response = close(api_client(coordinator), period)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.CLOSED
    # Closing twice is a step the state does not allow.
    assert_error(close(api_client(coordinator), period), 409, "step_not_allowed")


def test_a_liaison_cannot_close_a_quarter(liaison_a, period):
    assert_error(close(api_client(liaison_a), period), 403)
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.OPEN


def test_nothing_in_a_closed_quarter_changes_even_for_a_coordinator(
    coordinator, liaison_a, period, report_a, update_a
):
    assert close(api_client(coordinator), period).status_code == 200
    for user in (coordinator, liaison_a):
        client = api_client(user)
        for url in (
            f"/api/v1/area-reports/{report_a.pk}/",
            f"/api/v1/progress-updates/{update_a.pk}/",
        ):
            current = etag_of(client, url)  # still readable
            for method in ("patch", "put"):
                response = write(client, method, url, {"narrative": "Achteraf"}, etag=current)
                assert_error(response, 409, "quarter_closed")
    assert_error(step(api_client(coordinator), report_a, "submit"), 409, "quarter_closed")
    report_a.refresh_from_db()
    update_a.refresh_from_db()
    assert report_a.narrative == update_a.narrative == ""
    assert report_a.status == AreaReport.Status.DRAFT
    assert (report_a.version, update_a.version) == (1, 1)


def test_a_submitted_report_is_read_only_to_its_liaison(liaison_a, coordinator, report_a, update_a):
    put_in(report_a, AreaReport.Status.SUBMITTED)
    client = api_client(liaison_a)
    for url in (f"/api/v1/area-reports/{report_a.pk}/", f"/api/v1/progress-updates/{update_a.pk}/"):
        response = write(client, "patch", url, {"narrative": "Nog even"}, etag=etag_of(client, url))
        assert response.status_code in (403, 409)
        assert_error(response, response.status_code)
    update_a.refresh_from_db()
    assert update_a.narrative == ""
    # The coordinator still may.
    client = api_client(coordinator)
    url = f"/api/v1/progress-updates/{update_a.pk}/"
    response = write(client, "patch", url, {"narrative": "Gecorrigeerd"}, etag=etag_of(client, url))
    assert response.status_code == 200, response.content


def quarter_data(programme, quarter=1):
    return {"programme": programme.pk, "year": 2027, "quarter": quarter, "deadline": "2027-04-15"}


def test_a_liaison_cannot_open_a_quarter(liaison_a, track):
    response = write(
        api_client(liaison_a), "post", "/api/v1/quarters/", quarter_data(track.programme)
    )
    assert_error(response, 403)
    assert not ReportingPeriod.objects.filter(year=2027).exists()


def test_a_coordinator_opens_a_quarter(coordinator, area_a, area_b, track, intervention_a):
    response = write(
        api_client(coordinator), "post", "/api/v1/quarters/", quarter_data(track.programme)
    )
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "2027-Q1"
    assert response.json()["status"] == "open"
    period = ReportingPeriod.objects.get(pk=response.json()["id"])
    assert set(period.reports.values_list("area", flat=True)) == {area_a.pk, area_b.pk}
    assert period.updates.filter(intervention=intervention_a).exists()
    assert QuarterTransition.objects.filter(period=period, to_status="open").exists()
    # The same quarter twice is refused.
    again = write(
        api_client(coordinator), "post", "/api/v1/quarters/", quarter_data(track.programme)
    )
    assert_error(again, 400, "invalid")


# ---------------------------------------------------------------------------
# Errors, caps and filters


def test_an_oversized_json_body_is_413(settings, coordinator, intervention_a):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    response = write(client, "patch", url, {"description": "x" * 5000}, etag=etag_of(client, url))
    assert_error(response, 413, "payload_too_large")
    intervention_a.refresh_from_db()
    assert intervention_a.description == ""


def test_an_oversized_form_body_is_413(settings, coordinator, intervention_a):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    response = client.patch(
        url,
        {"description": "x" * 5000},
        format="multipart",
        HTTP_IF_MATCH=etag_of(client, url),
    )
    assert_error(response, 413, "payload_too_large")
    intervention_a.refresh_from_db()
    assert intervention_a.description == ""


def test_page_size_is_capped_at_500(coordinator):
    Theme.objects.bulk_create(
        Theme(code=f"t-{n}", name_nl=f"Thema {n:04d}", name_en=f"Theme {n:04d}") for n in range(510)
    )
    response = api_client(coordinator).get("/api/v1/themes/", {"page_size": 100_000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Theme.objects.count() > 500
    assert len(body["results"]) == 500
    assert body["next"]


@pytest.mark.parametrize(
    "resource", ["area-reports", "progress-updates", "quarters", "escalations"]
)
@pytest.mark.parametrize("value", ["2024-Q7", "2024", "Q3-2024", "2024-Q3x"])
def test_an_invalid_quarter_filter_is_a_clear_400(resource, value, coordinator):
    response = api_client(coordinator).get(f"/api/v1/{resource}/", {"quarter": value})
    body = assert_error(response, 400, "invalid")
    with translation.override("nl"):
        clear = translation.gettext("Write a quarter as YYYY-Qn, e.g. 2024-Q3.")
    assert body["errors"]["quarter"] == [clear]


@pytest.mark.parametrize(
    "resource", ["interventions", "area-reports", "progress-updates", "escalations"]
)
def test_filtering_on_another_area_gives_an_empty_list(
    resource, coordinator, liaison_a, area_a, area_b, update_a, update_b, report_a, report_b
):
    factories.EscalationFactory(report=report_a)
    factories.EscalationFactory(report=report_b)
    url = f"/api/v1/{resource}/"
    # The filter works: the coordinator finds B's rows with it.
    assert api_client(coordinator).get(url, {"area": area_b.pk}).json()["count"] >= 1
    client = api_client(liaison_a)
    assert client.get(url, {"area": area_a.pk}).json()["count"] >= 1
    response = client.get(url, {"area": area_b.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_search_and_ordering_never_reveal_another_area(
    liaison_a, intervention_a, intervention_b, update_a, update_b, report_b
):
    factories.FundingLineFactory(intervention=intervention_b, amount="777777.77")
    factories.EscalationFactory(report=report_b, title="Knelpunt van B")
    client = api_client(liaison_a)
    queries = [
        ("interventions", {"search": "Geheim"}),
        ("interventions", {"search": intervention_b.code}),
        ("interventions", {"ordering": "-title"}),
        ("interventions", {"ordering": "area__name"}),  # not an ordering field: ignored
        ("interventions", {"ordering": "funding_lines__amount"}),
        ("funding-lines", {"ordering": "-amount"}),
        ("area-reports", {"ordering": "status"}),
        ("progress-updates", {"ordering": "-money_spent_to_date"}),
        ("escalations", {"search": "van B"}),
        ("areas", {"search": "Gebied B"}),
    ]
    for resource, params in queries:
        response = client.get(f"/api/v1/{resource}/", params)
        assert response.status_code == 200, (resource, params, response.content)
        text = response.content.decode()
        assert "Geheim project B" not in text, (resource, params)
        assert "777777.77" not in text, (resource, params)
        assert "Knelpunt van B" not in text, (resource, params)
        assert "Gebied B" not in text, (resource, params)
    assert client.get("/api/v1/interventions/", {"search": "Geheim"}).json()["count"] == 0


def test_errors_have_one_shape(settings, coordinator, viewer, intervention_a, report_a):
    """A summary over the statuses the API answers with (the tests above check each)."""
    client = api_client(coordinator)
    url = intervention_url(intervention_a)
    assert_error(write(client, "patch", url, {"title": "X"}), 428)
    assert_error(write(client, "patch", url, {"title": "X"}, etag='"oud"'), 412)
    assert_error(
        write(client, "patch", url, {"status": "nonsense"}, etag=etag_of(client, url)), 400
    )
    assert_error(client.get(f"/api/v1/interventions/{MISSING}/"), 404)
    assert_error(write(api_client(viewer), "patch", url, {"title": "X"}, etag='"x"'), 403)
    assert_error(step(client, report_a, "approve"), 409)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    assert_error(write(client, "patch", url, {"title": "X" * 200}, etag=etag_of(client, url)), 413)
    assert_error(client.delete(url), 405)
    assert_error(
        client.post("/api/v1/interventions/", "{kapot", content_type="application/json"), 400
    )
    assert_error(client.post("/api/v1/interventions/", "{kapot", content_type="text/plain"), 415)
    anonymous = api_client().get("/api/v1/interventions/")
    assert anonymous.status_code in (401, 403)
    assert_error(anonymous, anonymous.status_code)


def test_a_user_without_a_role_reads_nothing(intervention_a):
    nobody = make_user("niemand@example.org", roles.VIEWER)
    nobody.groups.clear()
    assert_error(api_client(nobody).get("/api/v1/interventions/"), 403)


@pytest.fixture
def closed_escalation(coordinator, period, report_a):
    escalation = factories.EscalationFactory(report=report_a)
    assert close(api_client(coordinator), period).status_code == 200
    return escalation


def test_after_closing_only_the_rijks_answer_changes(coordinator, liaison_a, closed_escalation):
    client = api_client(coordinator)
    url = f"/api/v1/escalations/{closed_escalation.pk}/"
    data = {"answer": "Ruimte gegeven.", "status": "resolved"}
    response = write(client, "patch", url, data, etag=etag_of(client, url))
    assert response.status_code == 200, response.content
    for user in (coordinator, liaison_a):
        client = api_client(user)
        response = write(client, "patch", url, {"title": "Herschreven"}, etag=etag_of(client, url))
        assert response.status_code in (400, 409)
        assert_error(response, response.status_code)
    closed_escalation.refresh_from_db()
    assert closed_escalation.title != "Herschreven"
    assert closed_escalation.answer == "Ruimte gegeven."
    assert closed_escalation.status == Escalation.Status.RESOLVED


def test_a_closed_quarters_escalation_answers_409(coordinator, closed_escalation):
    client = api_client(coordinator)
    url = f"/api/v1/escalations/{closed_escalation.pk}/"
    response = write(client, "patch", url, {"title": "Herschreven"}, etag=etag_of(client, url))
    assert_error(response, 409, "quarter_closed")


def test_adding_to_a_closed_quarter_is_409(coordinator, period, report_a, update_a):
    indicator = factories.IndicatorFactory(intervention=update_a.intervention)
    client = api_client(coordinator)
    assert close(client, period).status_code == 200
    for resource, data in [
        ("indicator-values", {"update": update_a.pk, "indicator": indicator.pk, "value": "3"}),
        (
            "escalations",
            {
                "report": report_a.pk,
                "title": "Te laat",
                "description": "Na sluiting.",
                "kind": "rules",
                "addressed_to": "BZK",
            },
        ),
    ]:
        assert_error(write(client, "post", f"/api/v1/{resource}/", data), 409, "quarter_closed")


def test_nothing_is_added_to_a_closed_quarter(coordinator, period, report_a, update_a):
    indicator = factories.IndicatorFactory(intervention=update_a.intervention)
    client = api_client(coordinator)
    assert close(client, period).status_code == 200
    data = {"update": update_a.pk, "indicator": indicator.pk, "value": "3"}
    response = write(client, "post", "/api/v1/indicator-values/", data)
    assert response.status_code in (400, 409)
    assert_error(response, response.status_code)
    data = {
        "report": report_a.pk,
        "title": "Te laat",
        "description": "Na sluiting.",
        "kind": "rules",
        "addressed_to": "BZK",
    }
    response = write(client, "post", "/api/v1/escalations/", data)
    assert response.status_code in (400, 409)
    assert_error(response, response.status_code)
    assert not update_a.indicator_values.exists()
    assert not report_a.escalations.exists()
