"""Every list endpoint of the API costs the same number of queries at 1, 10 and 50 rows,
and no more than a fixed bound; so does the quarterly report at 1, 10 and 50 areas.

The endpoints come from the router, so a new one is covered without touching this file;
its model needs a CATEGORY (and a builder) in tests/doors.py.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import AreaMembership, User
from areas.models import Area
from config.api import router
from interventions.models import Intervention
from reporting import services
from reporting.models import IndicatorValue, ProgressUpdate
from tests import factories
from tests.doors import CATEGORY, reference_row, row_in

ROW_COUNTS = [1, 10, 50]
# What any request costs: the session, its save (SESSION_SAVE_EVERY_REQUEST), the user,
# the role's permissions (2), a liaison's memberships, and the savepoints around the view
# and the session save (4, from ATOMIC_REQUESTS). A list adds its count and its rows.
REQUEST_QUERIES = 10
LIST_QUERIES = REQUEST_QUERIES + 2
# The quarterly report adds the quarter, its programme and eight queries for its figures.
MAX_REPORT_QUERIES = REQUEST_QUERIES + 10

# Every resource with a list (export jobs are asked for and fetched one by one).
ENDPOINTS = [
    (prefix, viewset) for prefix, viewset, _ in router.registry if hasattr(viewset, "list")
]


def max_queries(viewset):
    """The bound for a list: one more query per relation its queryset prefetches
    (``indicator_values__indicator`` is two)."""
    lookups = viewset.queryset._prefetch_related_lookups
    hops = sum(len(getattr(lookup, "prefetch_to", lookup).split("__")) for lookup in lookups)
    return LIST_QUERIES + hops


@pytest.fixture(autouse=True)
def empty_throttle_cache():
    cache.clear()


def enrich(row):
    """Give a row the nested rows its serializer shows, so that a missing prefetch of
    them costs a query per row."""
    if isinstance(row, Area):
        factories.NeighbourhoodFactory(area=row)
    elif isinstance(row, Intervention):
        factories.FundingLineFactory(intervention=row)
        factories.IndicatorFactory(intervention=row)
        row.partners.add(factories.PartnerFactory())
        row.target_groups.add(factories.TargetGroupFactory())
    elif isinstance(row, ProgressUpdate):
        indicator = factories.IndicatorFactory(intervention=row.intervention)
        IndicatorValue.objects.create(update=row, indicator=indicator, value=3)


def add_row(model, area, liaison, track):
    """One more row of ``model`` that both personas see: area rows in the liaison's own
    area, or (for areas themselves) an area the liaison is made a member of."""
    category = CATEGORY[model]
    if model is Area:
        row = factories.AreaFactory(tracks=[track])
        AreaMembership.objects.create(user=liaison, area=row)
    elif model is User:
        row = factories.UserFactory()  # reference_row makes the same user every time
    elif category in ("area", "shared", "deal"):
        row = row_in(model, area)
    else:
        row = reference_row(model)
    enrich(row)


def fill(model, rows, area, liaison, track):
    """Add rows of ``model`` until there are ``rows``."""
    for _ in range(rows):
        if model._default_manager.count() >= rows:
            return
        add_row(model, area, liaison, track)
    assert model._default_manager.count() >= rows, f"tests/doors.py makes no new {model}"


def list_url(prefix):
    return f"/api/v1/{prefix}/"


def signed_in(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("prefix", "viewset"), ENDPOINTS, ids=[prefix for prefix, _ in ENDPOINTS])
def test_list_queries_do_not_grow_with_rows(
    prefix, viewset, coordinator, liaison_a, area_a, track, django_assert_max_num_queries
):
    model = viewset.queryset.model
    if model not in CATEGORY:
        pytest.fail(
            f"/api/v1/{prefix}/ lists {model.__name__}, which has no CATEGORY in "
            "tests/doors.py: add it there, with a builder in row_in or reference_row."
        )
    clients = {"coordinator": signed_in(coordinator), "liaison_a": signed_in(liaison_a)}
    add_row(model, area_a, liaison_a, track)  # at least one row, whatever the fixtures made

    counts = {persona: [] for persona in clients}
    for rows in ROW_COUNTS:
        fill(model, rows, area_a, liaison_a, track)
        for persona, client in clients.items():
            if client.get(list_url(prefix)).status_code == 403:  # a warm-up, too
                assert CATEGORY[model] == "deal", f"{persona} may not list {prefix}"
                continue  # a liaison sees no Regio Deals
            with (
                django_assert_max_num_queries(max_queries(viewset)),
                CaptureQueriesContext(connection) as queries,
            ):
                response = client.get(list_url(prefix))
            assert response.status_code == 200, response.content
            assert response.data["count"] >= rows, f"{persona} sees too few {prefix}"
            counts[persona].append(len(queries))
    for persona, found in counts.items():
        if found or persona == "coordinator":
            assert len(found) == len(ROW_COUNTS) and len(set(found)) == 1, (
                f"GET /api/v1/{prefix}/ as {persona}: {found} queries at {ROW_COUNTS} rows"
            )


def add_area_with_report(period, track, liaison):
    """An area on the quarter's programme with a running intervention, its funding, a
    report with an update and an open escalation; the liaison is made a member."""
    area = factories.AreaFactory(tracks=[track])
    AreaMembership.objects.create(user=liaison, area=area)
    intervention = factories.InterventionFactory(area=area, track=track)
    factories.FundingLineFactory(intervention=intervention)
    report = factories.AreaReportFactory(area=area, period=period, overall_light="green")
    factories.ProgressUpdateFactory(report=report, intervention=intervention, light="amber")
    factories.EscalationFactory(report=report)


@pytest.mark.parametrize("download", [None, "csv", "xlsx"])
def test_quarterly_report_queries_do_not_grow_with_areas(
    download, coordinator, liaison_a, area_a, track, django_assert_max_num_queries
):
    factories.InterventionFactory(area=area_a, track=track)
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=1,
        deadline=datetime.date(2026, 4, 15),
        user=coordinator,
    )
    query = {"quarter": period.label} | ({"download": download} if download else {})
    clients = {"coordinator": signed_in(coordinator), "liaison_a": signed_in(liaison_a)}

    counts = {persona: [] for persona in clients}
    for areas in ROW_COUNTS:
        while period.reports.count() < areas:
            add_area_with_report(period, track, liaison_a)
        for persona, client in clients.items():
            client.get("/api/v1/quarterly-report/", query)  # a warm-up
            with (
                django_assert_max_num_queries(MAX_REPORT_QUERIES),
                CaptureQueriesContext(connection) as queries,
            ):
                response = client.get("/api/v1/quarterly-report/", query)
            assert response.status_code == 200, response.content
            if download is None:
                assert len(response.data["per_area"]) == areas, persona
            counts[persona].append(len(queries))
    for persona, found in counts.items():
        assert len(set(found)) == 1, (
            f"quarterly report ({download or 'json'}) as {persona}: "
            f"{found} queries at {ROW_COUNTS} areas"
        )
