"""The dashboard's figures come from the shared cache until a write changes them: the
next request after any write shows it, whatever path the write took."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.history import update_with_history
from interventions.models import Intervention
from reporting.models import ProgressUpdate
from tests.pages.test_pages import key_figures, page

DASHBOARD = reverse("pages:dashboard")


def red_updates(client):
    figures = key_figures(page(client, DASHBOARD))
    return next(value for label, value in figures.items() if "risico" in label.lower())


def test_a_second_request_is_answered_from_the_cache(
    client_for, coordinator, quarter, django_assert_max_num_queries
):
    client = client_for(coordinator)
    page(client, DASHBOARD)
    # Sign-in, session and the form's choices only: none of the figures' queries.
    with django_assert_max_num_queries(15):
        page(client, DASHBOARD)


def test_a_write_through_the_api_is_seen_on_the_next_request(
    client_for, coordinator, liaison_a, quarter
):
    coordinator_client = client_for(coordinator)
    assert red_updates(coordinator_client) == "1"

    api = APIClient()
    api.force_login(liaison_a)
    update = ProgressUpdate.objects.get(intervention=quarter.intervention_of["a1"])
    url = f"/api/v1/progress-updates/{update.pk}/"
    etag = api.get(url)["ETag"]
    response = api.patch(url, {"light": "red"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content

    assert red_updates(client_for(coordinator)) == "2"


def test_a_bulk_write_is_seen_on_the_next_request(client_for, coordinator, quarter):
    client = client_for(coordinator)
    assert red_updates(client) == "1"
    updates = list(ProgressUpdate.objects.filter(period=quarter, light="green"))
    for update in updates:
        update.light = "red"
    ProgressUpdate.objects.save_changed(updates, ["light"], user=coordinator)
    assert red_updates(client) == str(1 + len(updates))


def test_a_change_to_an_intervention_is_seen_on_the_next_request(client_for, coordinator, quarter):
    client = client_for(coordinator)
    before = page(client, DASHBOARD).one("main").text
    stopped = quarter.intervention_of["a2"]
    stopped.status = Intervention.Status.STOPPED
    update_with_history(Intervention, [stopped], ["status"], user=coordinator)
    # Only the count of interventions per status changes.
    assert page(client, DASHBOARD).one("main").text != before


def test_a_liaison_never_gets_the_figures_cached_for_a_coordinator(
    client_for, coordinator, liaison_a, quarter
):
    page(client_for(coordinator), DASHBOARD)
    liaison_page = page(client_for(liaison_a), DASHBOARD)
    assert "Gebied B" not in liaison_page.one("main").text
    assert "Gebied A" in liaison_page.one("main").text


@pytest.mark.parametrize("day", [datetime.date(2027, 1, 14), datetime.date(2027, 1, 16)])
def test_the_cached_figures_follow_the_day(day, client_for, coordinator, quarter, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: day)
    doc = page(client_for(coordinator), DASHBOARD)
    late = doc.find("section", aria_labelledby="late-title")
    assert (late is not None and "Gebied A" in late.text) == (day > quarter.deadline)


def test_an_import_of_area_figures_is_seen_on_the_next_request(client_for, coordinator, quarter):
    from decimal import Decimal

    from core.history import create_with_history
    from monitor import services
    from monitor.models import ContextMeasure, ContextValue

    services.load_reference()
    client = client_for(coordinator)
    section = page(client, DASHBOARD).one("section", aria_labelledby="monitor-title").text
    assert "0 gebieden beter" in section
    area = quarter.intervention_of["a1"].area
    measure = ContextMeasure.objects.get(code="lbm")
    figures = [
        ContextValue(
            area=area,
            geo_level="area",
            geo_code=area.code,
            measure=measure,
            year=year,
            value=Decimal(value),
        )
        for year, value in [(2018, "3.90"), (2024, "4.10")]
    ]
    create_with_history(ContextValue, figures, user=coordinator)  # the import's path
    section = page(client, DASHBOARD).one("section", aria_labelledby="monitor-title").text
    assert "1 gebieden beter" in section
