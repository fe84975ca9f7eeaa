"""Schemathesis over the committed openapi.yaml, in-process against the WSGI app.

For every persona (coordinator, liaison of area A, viewer, a read-only API token and an
anonymous visitor), every operation of the schema is called with a few generated
requests, on seeded data so that the endpoints answer with real rows:

* no request gets a 5xx;
* every response's status is documented, and its content type and body match the schema;
* a persona that may not write (viewer, read-only token, anonymous) never gets a write
  through.

Writes send the record's current ETag in If-Match (and a session's CSRF token), so they
get past the preconditions to the model rules.

Hypothesis runs inside one test per persona (``@given`` on an inner function), so the
test's database transaction of pytest-django holds for every generated request. Set
API_FUZZ_EXAMPLES to run more examples per operation locally.
"""

import datetime
import os
import traceback
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from areas.models import Area
from config.api import router
from config.wsgi import application
from core.jobs import run_job
from interventions.models import Intervention
from reporting import services
from reporting.exports.jobs import start_export
from reporting.models import ExportJob, IndicatorValue
from tests import factories

SCHEMA = schemathesis.openapi.from_path(Path(settings.BASE_DIR) / "openapi.yaml")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# The model behind each /api/v1/<prefix>/ of the router, for picking real ids.
MODEL_OF_PREFIX = {prefix: viewset.queryset.model for prefix, viewset, _ in router.registry}

QUARTER = "2026-Q1"
CSRF_TOKEN = "schemathesisCsrfToken0123456789a"  # 32 letters and digits: a CSRF secret
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Reads first; then creating, changing, the workflow actions, and deleting last, so that
# the changes and deletions come after everything that reads the seeded rows.
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 5}
WORKFLOW_ACTION_ORDER = 4

# persona -> (user fixture, how it authenticates, examples per operation)
PERSONAS = {
    "coordinator": ("coordinator", "session", 6),
    "liaison_a": ("liaison_a", "session", 5),
    "viewer": ("viewer", "session", 4),
    "read_only_token": ("coordinator", "token", 4),
    "anonymous": (None, None, 3),
}
READ_ONLY_PERSONAS = {"viewer", "read_only_token", "anonymous"}
# The reads a persona may not make (403); anonymous may make none.
NOT_READABLE = {"liaison_a": {"/api/v1/regio-deals/", "/api/v1/regio-deals/{id}/"}}

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.fixture(autouse=True)
def empty_throttle_cache():
    cache.clear()


@contextmanager
def connection_kept():
    """Keep the test's connection through an in-process WSGI request, as Django's test
    client does: ``close_old_connections`` would close it, and the test's transaction
    with it (on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(case, headers, cookies):
    """Send ``case`` to the WSGI app in-process."""
    with connection_kept():
        return case.call(app=application, headers=headers, cookies=cookies)


@pytest.fixture
def seeded(coordinator, liaison_a, liaison_b, viewer, area_a, area_b, track):
    """A quarter opened with running interventions in areas A and B and a programme-wide
    one, partners, indicators and their values, knowledge items (of A, of A and B, and
    programme-wide), an escalation, a returned report (A), a submitted one (B), the
    areas' figures, goals and dossier documents, and a finished export per persona."""
    theme = factories.ThemeFactory(code="youth")
    target_group = factories.TargetGroupFactory()
    partner = factories.PartnerFactory()
    factories.AreaPartnerFactory(area=area_a, partner=partner)
    factories.AreaPartnerFactory(area=area_b)
    deal = factories.RegioDealFactory()
    deal.areas.add(area_a, area_b)
    for area in (area_a, area_b):
        factories.NeighbourhoodFactory(area=area)
        factories.GovernanceArrangementFactory(area=area)
        factories.AreaDocumentFactory(area=area, uploaded_by=coordinator)
    interventions = [
        factories.InterventionFactory(
            area=area_a, track=track, themes=[theme], lead_partner=partner
        ),
        factories.InterventionFactory(area=area_b, track=track, themes=[theme]),
        factories.InterventionFactory(area=None, track=track, themes=[theme]),
    ]
    for intervention in interventions:
        intervention.partners.add(partner)
        intervention.target_groups.add(target_group)
        factories.FundingLineFactory(intervention=intervention, year=2026)
        factories.IndicatorFactory(intervention=intervention)
    factories.InterventionFactory(area=area_a, track=track, status=Intervention.Status.IDEA)
    factories.KnowledgeItemFactory(areas=[area_a], interventions=interventions[:1])
    factories.KnowledgeItemFactory(areas=[area_a, area_b], interventions=interventions[:2])
    factories.KnowledgeItemFactory()  # programme-wide

    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=1,
        deadline=datetime.date(2026, 4, 15),
        user=coordinator,
    )
    for update in period.updates.select_related("intervention"):
        update.light = "green"
        update.narrative = "Op schema."
        update.money_spent_to_date = Decimal("2500.00")
        update.save()
        IndicatorValue.objects.create(
            update=update, indicator=update.intervention.indicators.first(), value=7
        )
    report_a = period.reports.get(area=area_a)
    factories.EscalationFactory(report=report_a)
    report_a.overall_light = "green"
    report_a.save()
    services.report_step(report=report_a, user=liaison_a, step="submit")
    services.report_step(report=report_a, user=coordinator, step="return", comment="Aanvullen.")
    report_b = period.reports.get(area=area_b)
    report_b.overall_light = "amber"
    report_b.save()
    services.report_step(report=report_b, user=liaison_b, step="submit")
    for area in (area_a, area_b):
        factories.ContextValueFactory(area=area)
        factories.AreaGoalFactory(area=area)
    for user in (coordinator, liaison_a, viewer):  # each persona's own finished export
        job = start_export(user=user, period=period, fmt="csv", via="api", page_url=lambda job: "/")
        run_job(ExportJob._meta.label, job.pk)
    return period


def session_of(user):
    """(headers, cookies) of a signed-in session, with a CSRF token for writes."""
    client = Client()
    client.force_login(user)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_TOKEN}
    return {"X-CSRFToken": CSRF_TOKEN}, cookies


def read_only_token_of(user):
    _, key = ApiToken.objects.create(user=user, name="Power BI", can_write=False)
    return {"Authorization": f"Token {key}"}, {}


def credentials(persona, users):
    """(headers, cookies) of a persona."""
    fixture, auth, _ = PERSONAS[persona]
    if auth == "session":
        return session_of(users[fixture])
    if auth == "token":
        return read_only_token_of(users[fixture])
    return {}, {}


def real_ids(operation, user):
    """The ids of the operation's rows: those ``user`` sees first (Hypothesis starts from
    the first), then those of other areas."""
    if "{id}" not in operation.path:
        return []
    manager = MODEL_OF_PREFIX[operation.path.split("/")[3]]._default_manager
    visible = set(manager.for_user(user).values_list("pk", flat=True)) if user else set()
    return sorted(manager.values_list("pk", flat=True), key=lambda pk: (pk not in visible, pk))


def strategy_for(operation, user):
    """Generated requests, half of them on rows that exist, and with a real quarter where
    the operation takes one."""
    query = None
    if any(p.name == "quarter" and p.location == "query" for p in operation.iter_parameters()):
        query = {"quarter": QUARTER}
    if operation.path.endswith("/export/") and user:  # made in the request for one area only
        query = {"area": Area.objects.for_user(user).order_by("pk").values_list("pk", flat=True)[0]}
    strategies = []
    ids = real_ids(operation, user)
    if ids:
        strategies.append(
            st.sampled_from(ids).flatmap(
                lambda pk: operation.as_strategy(path_parameters={"id": pk}, query=query)
            )
        )
    elif query:
        strategies.append(operation.as_strategy(query=query))
    strategies.append(operation.as_strategy())
    return st.one_of(strategies)


def describe(case):
    request = f"{case.method.upper()} {case.formatted_path}"
    if case.query:
        request += f" query={case.query!r}"
    if case.body is not NOT_SET:
        request += f" body={case.body!r}"
    return request[:500]


class Run:
    """Calls one persona's generated cases and collects what went wrong."""

    def __init__(self, persona, user, headers, cookies):
        self.persona = persona
        self.user = user
        self.headers = headers
        self.cookies = cookies
        self.problems = {}
        self.answered = set()  # (method, path) of operations that answered with a 2xx
        self.server_error = ""

    def on_server_error(self, sender, request=None, **kwargs):
        self.server_error = "".join(traceback.format_exc().splitlines(keepends=True)[-12:])

    def call(self, case):
        if self.persona != "anonymous":
            # Generated credentials would stand in for the persona's own.
            case.headers.pop("Authorization", None)
            case.cookies.pop("sessionid", None)
        if case.method.upper() in ("PUT", "PATCH", "DELETE"):
            read = SCHEMA[case.operation.path]["GET"].Case(path_parameters=case.path_parameters)
            read = call(read, self.headers, self.cookies)
            if read.status_code == 200 and "etag" in read.headers:
                case.headers["If-Match"] = read.headers["etag"][0]
        self.server_error = ""
        self.check(case, call(case, self.headers, self.cookies))

    def check(self, case, response):
        status = response.status_code
        if 200 <= status < 300:
            self.answered.add((case.method.upper(), case.operation.path))
        if status >= 500:
            self.record(case, status, "server error", self.server_error or response.text)
            return
        if case.method.upper() in WRITES and status < 400 and self.persona in READ_ONLY_PERSONAS:
            self.record(case, status, "write accepted from a read-only persona", response.text)
        checks = [content_type_conformance, response_schema_conformance, status_code_conformance]
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as failures:
            for failure in failures.exceptions:
                self.record(case, status, failure.title, failure.message)

    def record(self, case, status, kind, detail):
        key = (case.method.upper(), case.operation.path, status, kind)
        if key not in self.problems:
            self.problems[key] = f"{describe(case)}\n    -> {status}: {kind}\n{detail[:1500]}"

    def exercise(self, operation, max_examples):
        @hypothesis_settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy_for(operation, self.user))
        def run(case):
            self.call(case)

        run()


def in_run_order(operations):
    def order(operation):
        method = operation.method.upper()
        if method == "POST" and "{id}" in operation.path:
            return (WORKFLOW_ACTION_ORDER, operation.path)
        return (METHOD_ORDER[method], operation.path)

    return sorted(operations, key=order)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_operation_answers_within_the_schema(persona, seeded, coordinator, liaison_a, viewer):
    users = {"coordinator": coordinator, "liaison_a": liaison_a, "viewer": viewer}
    user = users.get(PERSONAS[persona][0])
    run = Run(persona, user, *credentials(persona, users))
    max_examples = int(os.environ.get("API_FUZZ_EXAMPLES", PERSONAS[persona][2]))
    got_request_exception.connect(run.on_server_error)
    try:
        for operation in in_run_order(OPERATIONS):
            run.exercise(operation, max_examples)
    finally:
        got_request_exception.disconnect(run.on_server_error)
    assert not run.problems, f"{len(run.problems)} problem(s) as {persona}:\n\n" + "\n\n".join(
        run.problems.values()
    )
    # The run reached past the doors: every read answered with a 2xx at least once, but
    # those the persona may not make at all.
    reads = {operation.path for operation in OPERATIONS if operation.method.upper() == "GET"}
    answered = {path for method, path in run.answered if method == "GET"}
    expected = reads if persona == "anonymous" else NOT_READABLE.get(persona, set())
    assert reads - answered == expected, (
        f"As {persona}, never a 2xx from GET {sorted(reads - answered - expected)} (does "
        f"`seeded` make a row of it?); but from GET {sorted(expected & answered)}"
    )
    if persona == "anonymous":
        assert not run.answered, f"Anonymous got a 2xx from {sorted(run.answered)}"


# The error statuses the API answers with, and a request that gets each.
ERRORS = [
    ("anonymous", "GET", "/api/v1/areas/", 401),
    ("read_only_token", "PATCH", "/api/v1/areas/{id}/", 403),
    ("liaison_a", "GET", "/api/v1/areas/{id}/", 404),
    ("coordinator", "GET", "/api/v1/quarterly-report/", 400),
    ("coordinator", "PATCH", "/api/v1/areas/{id}/", 428),
    ("coordinator", "PUT", "/api/v1/areas/{id}/", 412),
    ("coordinator", "POST", "/api/v1/quarters/{id}/close/", 409),
]


def error_request(persona, method, path, status, users, area_b, period):
    """Make the request of ERRORS that gets ``status``; returns the response."""
    headers, cookies = credentials(persona, users)
    operation = SCHEMA[path][method]
    kwargs = {}
    if "{id}" in path:
        pk = period.pk if path.startswith("/api/v1/quarters/") else area_b.pk
        kwargs["path_parameters"] = {"id": pk}
    if status == 400:
        kwargs["query"] = {"quarter": "kwartaal drie"}
    if method in ("PATCH", "PUT"):
        kwargs["body"] = {"description": "Bijgewerkt."}
        kwargs["media_type"] = "application/json"
    if status == 412:
        headers = {**headers, "If-Match": '"an old version"'}
    if status == 409:
        services.quarter_close(period=period, user=users["coordinator"])
    return call(operation.Case(**kwargs), headers, cookies)


def test_error_statuses_are_as_listed(seeded, coordinator, liaison_a, viewer, area_b):
    """The requests of ERRORS get their status, in the API's one error shape."""
    users = {"coordinator": coordinator, "liaison_a": liaison_a, "viewer": viewer}
    for persona, method, path, status in ERRORS:
        response = error_request(persona, method, path, status, users, area_b, seeded)
        assert response.status_code == status, (persona, method, path, response.text)
        assert response.json()["status"] == status
        assert set(response.json()) == {"status", "code", "detail", "errors"}


def test_error_statuses_are_documented():
    undocumented = [
        f"{method} {path}: {status}"
        for _, method, path, status in ERRORS
        if str(status) not in SCHEMA[path][method].responses.status_codes
    ]
    assert not undocumented, "Undocumented error statuses:\n" + "\n".join(undocumented)


def test_a_huge_id_in_a_filter_is_no_server_error(coordinator):
    client = APIClient(raise_request_exception=False)
    client.force_login(coordinator)
    failed = []
    for operation in OPERATIONS:
        if operation.method.upper() != "GET" or "{id}" in operation.path:
            continue
        for parameter in operation.iter_parameters():
            schema = parameter.definition.get("schema", {})
            if parameter.location != "query" or schema.get("type") != "integer":
                continue
            response = client.get(operation.path, {parameter.name: 10**30})
            if response.status_code >= 500:
                failed.append(f"{operation.path}?{parameter.name}=10**30")
    assert not failed, "5xx for:\n" + "\n".join(failed)


@pytest.mark.parametrize("prefix", ["indicators", "partners"])
def test_deleting_a_linked_row_is_a_conflict(prefix, seeded, coordinator):
    # The seeded indicators have values; the seeded partners lead or join interventions.
    row = MODEL_OF_PREFIX[prefix].objects.order_by("pk").first()
    client = APIClient(raise_request_exception=False)
    client.force_login(coordinator)
    url = f"/api/v1/{prefix}/{row.pk}/"
    response = client.delete(url, headers={"If-Match": client.get(url)["ETag"]})
    assert response.status_code == 409, response.status_code
    assert response.json()["status"] == 409


def validate(path, case_kwargs, user, check):
    case = SCHEMA[path]["GET"].Case(**case_kwargs)
    response = call(case, *session_of(user))
    assert response.status_code == 200, response.text
    case.validate_response(response, checks=[check])


def test_a_programme_wide_intervention_matches_the_schema(seeded, coordinator):
    intervention = Intervention.objects.get(area=None)
    case = {"path_parameters": {"id": intervention.pk}}
    validate("/api/v1/interventions/{id}/", case, coordinator, response_schema_conformance)


@pytest.mark.parametrize("download", ["csv", "xlsx"])
def test_quarterly_report_downloads_are_documented(download, seeded, coordinator):
    case = {"query": {"quarter": QUARTER, "download": download}}
    validate("/api/v1/quarterly-report/", case, coordinator, content_type_conformance)
