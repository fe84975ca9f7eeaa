"""Probing the API from inside: every filter, ordering field and search of every
resource (read from the router, so new ones are probed at once), hostile query values,
page sizes, writes and workflow steps on another area's rows (IDOR), fields only
coordinators may set, and access taken away in the middle of a session or a token's life.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import ApiToken, AreaMembership
from accounts.tasks import clear_expired_tokens
from config.api import router
from interventions.models import Intervention
from reporting.models import AreaReport, Escalation
from tests import factories
from tests.clients import api_client
from tests.conftest import make_user
from tests.doors import CATEGORY

# Every resource with a list (export jobs are asked for and fetched one by one: their
# doors are walked by tests/security/test_url_matrix.py).
RESOURCES = [
    (prefix, viewset) for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")
]
AREA_RESOURCES = [(p, v) for p, v in RESOURCES if CATEGORY[v.queryset.model] == "area"]
SECRETS_OF_B = ("Geheim project B", "Knelpunt van B", "Gebied B", "777777.77")
HOSTILE = [
    "' OR 1=1 --",
    "1; DROP TABLE areas_area",
    "-1",
    "0",
    "9" * 40,
    "1e309",
    "NaN",
    "%00",
    "\x00",
    "[]",
    "{}",
    "true",
    "2024-Q9",
    "../../etc/passwd",
    "__all__",
    "a" * 2000,
]


def api(user=None):
    return api_client(user, raise_request_exception=False)


@pytest.fixture
def secrets_of_b(area_a, area_b, track):
    """Rows in both areas; B's carry names liaison A must never see."""
    period = factories.ReportingPeriodFactory(programme=track.programme)
    rows = {}
    for area, title, escalation in (
        (area_a, "Buurtcoaches A", "Knelpunt van A"),
        (area_b, "Geheim project B", "Knelpunt van B"),
    ):
        intervention = factories.InterventionFactory(area=area, title=title)
        factories.FundingLineFactory(
            intervention=intervention, amount="777777.77" if area == area_b else "10.00"
        )
        factories.IndicatorFactory(intervention=intervention)
        factories.GovernanceArrangementFactory(area=area)
        factories.NeighbourhoodFactory(area=area)
        report = factories.AreaReportFactory(area=area, period=period)
        update = factories.ProgressUpdateFactory(report=report, intervention=intervention)
        factories.EscalationFactory(report=report, title=escalation)
        knowledge = factories.KnowledgeItemFactory(
            title=f"Les over {title}", areas=[area], interventions=[intervention]
        )
        rows[area.pk] = {
            "intervention": intervention,
            "report": report,
            "update": update,
            "knowledge": knowledge,
        }
    return rows


def values_pointing_at(area_b, rows_b):
    """Every id of B's that a filter might take."""
    ids = {area_b.pk, area_b.municipality_id, *(obj.pk for obj in rows_b.values())}
    return [str(i) for i in sorted(ids)] + [",".join(str(i) for i in sorted(ids))]


def assert_nothing_of_b(response, where):
    assert response.status_code in (200, 400), (*where, response.status_code, response.content)
    text = response.content.decode()
    for secret in SECRETS_OF_B:
        assert secret not in text, (*where, secret)


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _v in RESOURCES])
def test_no_filter_ordering_or_search_widens_a_liaisons_scope(
    prefix, viewset, liaison_a, area_b, secrets_of_b
):
    client = api(liaison_a)
    url = f"/api/v1/{prefix}/"
    baseline = client.get(url, {"page_size": 500})
    if baseline.status_code == 403:
        return  # the role has no access to this resource at all (Regio Deals)
    assert_nothing_of_b(baseline, (prefix, "list"))
    probes = []
    filterset = getattr(viewset, "filterset_class", None)
    for name in filterset.base_filters if filterset else ():
        for value in values_pointing_at(area_b, secrets_of_b[area_b.pk]):
            probes.append({name: value})
    for name in getattr(viewset, "ordering_fields", None) or ():
        probes += [{"ordering": name}, {"ordering": f"-{name}"}]
    # Orderings a resource does not offer: ignored, never a side channel.
    probes += [{"ordering": o} for o in ("area__name", "-intervention__title", "pk", "?")]
    if getattr(viewset, "search_fields", None):
        probes += [{"search": secret} for secret in SECRETS_OF_B]
    for params in probes:
        response = client.get(url, {**params, "page_size": 500})
        assert_nothing_of_b(response, (prefix, params))


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _v in RESOURCES])
def test_hostile_query_values_are_answered_not_crashed_on(prefix, viewset, coordinator):
    client = api(coordinator)
    url = f"/api/v1/{prefix}/"
    filterset = getattr(viewset, "filterset_class", None)
    names = [*(filterset.base_filters if filterset else ()), "ordering", "search", "page"]
    for name in names:
        for value in HOSTILE:
            response = client.get(url, {name: value})
            assert response.status_code in (200, 400, 404), (prefix, name, value, response)
            assert set(response.json()) >= {"status", "code", "detail", "errors"} or (
                response.status_code == 200
            ), (prefix, name, value)


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _v in RESOURCES])
def test_page_size_is_capped_on_every_list(prefix, viewset, coordinator):
    client = api(coordinator)
    for size in ("1000000000", "501", "-1", "0", "abc", "1e9"):
        response = client.get(f"/api/v1/{prefix}/", {"page_size": size})
        assert response.status_code == 200, (prefix, size)
        assert len(response.json()["results"]) <= 500
    far = client.get(f"/api/v1/{prefix}/", {"page": "1000000000"})
    assert far.status_code == 404 and far.json()["code"] == "not_found"


def same(response, other):
    return response.status_code == other.status_code and response.json() == other.json()


@pytest.mark.parametrize(("prefix", "viewset"), AREA_RESOURCES, ids=[p for p, _v in AREA_RESOURCES])
def test_writes_on_another_areas_rows_answer_as_missing(prefix, viewset, liaison_a, area_b):
    from tests.doors import row_in

    model = viewset.queryset.model
    row = row_in(model, area_b)
    before = model._base_manager.filter(pk=row.pk).values().get()
    client = api(liaison_a)
    for method in ("patch", "put", "delete"):
        if method not in viewset.http_method_names:
            continue
        for etag in ('"guess"', "*"):
            answer = getattr(client, method)(
                f"/api/v1/{prefix}/{row.pk}/", {"id": row.pk}, format="json", HTTP_IF_MATCH=etag
            )
            missing = getattr(client, method)(
                f"/api/v1/{prefix}/999999/", {"id": row.pk}, format="json", HTTP_IF_MATCH=etag
            )
            assert answer.status_code in (403, 404, 405), (method, answer.status_code)
            assert same(answer, missing), (method, etag, answer.json(), missing.json())
    assert model._base_manager.filter(pk=row.pk).values().get() == before


@pytest.mark.parametrize("step", ["submit", "approve", "return", "reopen"])
def test_workflow_steps_on_another_areas_report_answer_as_missing(step, liaison_a, area_b):
    report = factories.AreaReportFactory(area=area_b, overall_light="green")
    client = api(liaison_a)
    answer = client.post(f"/api/v1/area-reports/{report.pk}/{step}/", {"comment": "x"})
    missing = client.post(f"/api/v1/area-reports/999999/{step}/", {"comment": "x"})
    assert answer.status_code == 404 and same(answer, missing)
    report.refresh_from_db()
    assert report.status == AreaReport.Status.DRAFT


def test_a_liaison_cannot_set_what_only_coordinators_may(liaison_a, area_a):
    """Every read-only and coordinator-only field of the writable area resources,
    sent with a forged value, is left as it was."""
    report = factories.AreaReportFactory(area=area_a)
    escalation = factories.EscalationFactory(report=report)
    intervention = factories.InterventionFactory(area=area_a)
    client = api(liaison_a)
    forged = {
        f"/api/v1/area-reports/{report.pk}/": {
            "status": "approved",
            "submitted_at": "2020-01-01T00:00:00Z",
            "reviewed_at": "2020-01-01T00:00:00Z",
            "version": 999,
            "area": area_a.pk + 1000,
        },
        f"/api/v1/escalations/{escalation.pk}/": {
            "status": "resolved",
            "answer": "Geregeld door de liaison zelf",
            "answered_at": "2020-01-01T00:00:00Z",
            "version": 999,
        },
        f"/api/v1/interventions/{intervention.pk}/": {"version": 999, "id": 424242},
    }
    for url, data in forged.items():
        etag = client.get(url)["ETag"]
        response = client.patch(url, data, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code in (200, 400), (url, response.content)
    report.refresh_from_db()
    escalation.refresh_from_db()
    intervention.refresh_from_db()
    assert report.status == AreaReport.Status.DRAFT and report.submitted_at is None
    assert escalation.status == Escalation.Status.OPEN and escalation.answer == ""
    assert report.area_id == area_a.pk
    assert Intervention.objects.filter(pk=intervention.pk).exists()
    assert not Intervention.objects.filter(pk=424242).exists()


# ---------------------------------------------------------------------------
# Access taken away mid-session


def test_a_removed_membership_ends_api_access_on_the_next_request(liaison_a, area_a):
    intervention = factories.InterventionFactory(area=area_a, title="Eigen werk")
    client = api(liaison_a)
    url = f"/api/v1/interventions/{intervention.pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url).status_code == 200

    AreaMembership.objects.filter(user=liaison_a).delete()

    assert client.get(url).status_code == 404
    write = client.patch(url, {"title": "Toch"}, format="json", HTTP_IF_MATCH=etag)
    assert write.status_code == 404
    assert "Eigen werk" not in client.get("/api/v1/interventions/").content.decode()


def token_for(user, *, can_write=False):
    _token, key = ApiToken.objects.create(user=user, name="Script", can_write=can_write)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_removed_membership_ends_a_tokens_access_on_the_next_request(area_a):
    liaison = make_user("script-liaison@example.org", roles.LIAISON, [area_a])
    intervention = factories.InterventionFactory(area=area_a, title="Eigen werk")
    client = token_for(liaison, can_write=True)
    url = f"/api/v1/interventions/{intervention.pk}/"
    assert client.get(url).status_code == 200

    AreaMembership.objects.filter(user=liaison).delete()

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("take_away", ["deactivate", "remove_role"])
def test_a_deactivated_or_demoted_users_token_stops_at_once(take_away, area_a):
    viewer = make_user("script-viewer@example.org", roles.VIEWER)
    factories.InterventionFactory(area=area_a)
    client = token_for(viewer)
    assert client.get("/api/v1/interventions/").status_code == 200

    if take_away == "deactivate":
        viewer.is_active = False
        viewer.save()
    else:
        viewer.groups.clear()

    response = client.get("/api/v1/interventions/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_a_deactivated_users_session_ends_on_the_next_api_request(liaison_a, area_a):
    factories.InterventionFactory(area=area_a)
    client = api(liaison_a)
    assert client.get("/api/v1/interventions/").status_code == 200

    liaison_a.is_active = False
    liaison_a.save()

    assert client.get("/api/v1/interventions/").status_code in (401, 403)


def test_an_expired_token_is_refused_and_reading_writes_nothing(area_a):
    viewer = make_user("script-viewer@example.org", roles.VIEWER)
    client = token_for(viewer, can_write=False)
    used = ApiToken.objects.get(user=viewer)
    expired, expired_key = ApiToken.objects.create(user=viewer, name="Oud", expiry=None)
    ApiToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(days=1))
    old = APIClient(raise_request_exception=False)
    old.credentials(HTTP_AUTHORIZATION=f"Token {expired_key}")

    assert old.get("/api/v1/areas/").status_code == 401
    assert client.get("/api/v1/areas/").status_code == 200
    # A read deletes nothing (knox would): the schedule drops expired tokens.
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {used.pk, expired.pk}
    clear_expired_tokens.delay()
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [used.pk]
