"""Faults: a failure halfway through a write leaves nothing half-written; a database
error is a clean 500 with the transaction rolled back; a dropped database connection
is replaced on the next request."""

import datetime

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError, connection
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import ApiToken
from interventions.models import Intervention
from programme.models import ReportingPeriod
from reporting import services
from reporting.models import AreaReport, ProgressUpdate, QuarterTransition, ReportTransition
from tests import factories
from tests.conftest import make_user


class Boom(Exception):
    pass


def counts():
    """Rows and history rows of everything a quarter or a workflow step writes."""
    models = [ReportingPeriod, AreaReport, ProgressUpdate, QuarterTransition, ReportTransition]
    found = {model.__name__: model._base_manager.count() for model in models}
    for model in (ReportingPeriod, AreaReport, ProgressUpdate):
        found[f"{model.__name__} history"] = model.history.count()
    return found


@pytest.fixture
def running(area_a, area_b):
    return [factories.InterventionFactory(area=area) for area in (area_a, area_b)]


def test_opening_a_quarter_that_fails_halfway_writes_nothing(
    coordinator, track, running, monkeypatch
):
    before = counts()
    original = services.bulk_create_with_history

    def fail_on_updates(objs, model, **kwargs):
        if model is ProgressUpdate:  # reports and the quarter are written by now
            raise Boom
        return original(objs, model, **kwargs)

    monkeypatch.setattr(services, "bulk_create_with_history", fail_on_updates)
    with pytest.raises(Boom):
        services.quarter_open(
            programme=track.programme,
            year=2031,
            quarter=1,
            deadline=datetime.date(2031, 4, 15),
            user=coordinator,
        )
    assert counts() == before


def test_a_workflow_step_that_fails_after_saving_writes_nothing(liaison_a, area_a, monkeypatch):
    report = factories.AreaReportFactory(area=area_a, overall_light="green")
    before, history = counts(), report.history.count()

    def fail(**kwargs):
        raise Boom

    monkeypatch.setattr(ReportTransition.objects, "create", fail)
    with pytest.raises(Boom):
        services.report_step(report=report, user=liaison_a, step="submit")
    report.refresh_from_db()
    assert report.status == AreaReport.Status.DRAFT
    assert report.history.count() == history
    assert counts() == before


def test_closing_a_quarter_that_fails_leaves_it_open(coordinator, track, monkeypatch):
    period = factories.ReportingPeriodFactory(programme=track.programme)
    before = counts()

    def fail(**kwargs):
        raise Boom

    monkeypatch.setattr(QuarterTransition.objects, "create", fail)
    with pytest.raises(Boom):
        services.quarter_close(period=period, user=coordinator)
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.OPEN
    assert counts() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_error_after_a_write_is_a_clean_500_and_rolled_back(monkeypatch):
    """A real transaction (not the test's): ATOMIC_REQUESTS must undo the saved row."""
    area = factories.AreaFactory(tracks=[factories.TrackFactory()])
    intervention = factories.InterventionFactory(area=area, title="Voor de fout")
    history = intervention.history.count()
    coordinator = make_user("coordinator-fout@example.org", roles.COORDINATOR)
    client = APIClient(raise_request_exception=False)
    client.force_login(coordinator)
    url = f"/api/v1/interventions/{intervention.pk}/"
    etag = client.get(url)["ETag"]

    original = Intervention.save

    def save_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise DatabaseError('deadlock detected on "interventions_intervention" (internal)')

    monkeypatch.setattr(Intervention, "save", save_then_fail)
    response = client.patch(url, {"title": "Half geschreven"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error" and set(body) == {"status", "code", "detail", "errors"}
    assert "deadlock" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    stored = Intervention.objects.get(pk=intervention.pk)
    assert stored.title == "Voor de fout"
    assert stored.history.count() == history


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="A dropped connection is a server-side event (pg_terminate_backend); SQLite "
    "has no server connection to drop.",
)


def wsgi_get(path, key):
    """A request through the full WSGI handler, as gunicorn sends it: with the
    request_started signal that checks the connection (the test client skips it)."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="GET", HTTP_AUTHORIZATION=f"Token {key}"
    )
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    body = b"".join(WSGIHandler()(environ, start_response))
    return answer["status"], body


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dropped_database_connection_recovers_on_the_next_request(settings):
    settings.CONN_MAX_AGE = 60
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    try:
        factories.AreaFactory(name="Overlevend gebied", tracks=[factories.TrackFactory()])
        reader = make_user("lezer@example.org", roles.VIEWER)
        _token, key = ApiToken.objects.create(user=reader, name="Herstel")

        status, body = wsgi_get("/api/v1/areas/", key)
        assert status == 200 and b"Overlevend gebied" in body
        pid = connection.connection.info.backend_pid

        # The database drops the connection the app keeps between requests.
        from django.db import connections

        killer = connections.create_connection("default")
        try:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            killer.close()

        status, body = wsgi_get("/api/v1/areas/", key)
        assert status == 200 and b"Overlevend gebied" in body
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


def test_a_save_that_lands_between_the_etag_check_and_the_write_is_412(coordinator, area_a):
    """Two PATCHes with the same ETag at the same moment (the load run found this): the
    second passes the If-Match check before the first commits, and must still get 412,
    not a 400, and change nothing."""
    from core.api.base import WritableViewSet

    intervention = factories.InterventionFactory(area=area_a, title="Begin")
    client = APIClient()
    client.force_login(coordinator)
    url = f"/api/v1/interventions/{intervention.pk}/"
    etag = client.get(url)["ETag"]
    original = WritableViewSet.get_object_for_write

    def checked_then_overtaken(self):
        obj = original(self)
        rival = Intervention.objects.get(pk=obj.pk)
        rival.title = "Eerst opgeslagen"
        rival.save()
        return obj

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WritableViewSet, "get_object_for_write", checked_then_overtaken)
        response = client.patch(url, {"title": "Tweede"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412, response.content
    assert response.json()["code"] == "precondition_failed"
    # (The rival's save ran inside this request's transaction here, so it is undone too.)
    assert Intervention.objects.get(pk=intervention.pk).title != "Tweede"
