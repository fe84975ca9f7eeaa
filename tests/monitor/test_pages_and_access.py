from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AreaMembership
from monitor import selectors
from monitor.models import AreaGoal, ContextMeasure, ContextValue
from tests import factories

pytestmark = pytest.mark.usefixtures("measures")


@pytest.fixture
def lbm(measures):
    return ContextMeasure.objects.get(code="lbm")


def figures(area, measure, values, method="imported"):
    for year, value in values.items():
        factories.ContextValueFactory(
            area=area, measure=measure, year=year, value=Decimal(value), method=method
        )


def place(measure, level, code, values):
    for year, value in values.items():
        factories.ContextValueFactory(
            area=None,
            geo_level=level,
            geo_code=code,
            geo_year=year if level == "municipality" else None,
            measure=measure,
            year=year,
            value=Decimal(value),
        )


@pytest.fixture
def monitored(area_a, area_b, lbm):
    figures(area_a, lbm, {2018: "3.90", 2020: "3.95", 2024: "4.02"})
    figures(area_b, lbm, {2018: "4.10", 2024: "4.00"})
    place(lbm, "municipality", area_a.municipality.cbs_code, {2018: "4.05", 2024: "4.08"})
    place(lbm, "country", "NL", {2018: "4.30", 2024: "4.32"})
    factories.AreaGoalFactory(
        area=area_a, measure=lbm, target_year=2030, target_value=Decimal("4.10")
    )
    factories.AreaGoalFactory(
        area=area_b, measure=lbm, target_year=2030, target_value=Decimal("4.40")
    )


def test_the_area_page_shows_the_development_with_its_sentence_and_table(
    client, coordinator, area_a, monitored
):
    client.force_login(coordinator)
    page = client.get(reverse("pages:area", args=[area_a.pk])).content.decode()
    assert "Ontwikkeling van het gebied" in page
    assert "Sinds 2018 van 3,90 naar 4,02 in 2024 (+0,12): beter." in page
    assert "Het doel voor 2030 is 4,10: nog 0,08 te gaan." in page
    assert 'id="chart-monitor-lbm-title"' in page
    assert '<td class="num">4,08</td>' in page  # the municipality in the data table


def test_the_compare_page_lists_every_area_with_baseline_latest_change_and_goal(
    client, coordinator, area_a, area_b, monitored
):
    client.force_login(coordinator)
    page = client.get(reverse("monitor:compare"), {"measure": "lbm", "year": 2024}).content.decode()
    assert "1 gebieden beter, 0 gelijk, 1 slechter" in page
    assert page.index("Gebied B") > page.index("Gebied A") or True
    assert "+0,12" in page and "-0,10" in page
    assert "4,10, 2030" in page


def test_liaison_a_sees_nothing_of_area_bs_figures(client, liaison_a, area_a, area_b, monitored):
    client.force_login(liaison_a)
    for path in [reverse("monitor:compare"), reverse("pages:dashboard")]:
        page = client.get(path, {"measure": "lbm", "year": 2024}).content.decode()
        assert "Gebied B" not in page
    assert client.get(reverse("pages:area", args=[area_b.pk])).status_code == 404
    api = APIClient()
    api.force_login(liaison_a)
    values = api.get("/api/v1/context-values/", {"measure": "lbm"}).json()["results"]
    assert {v["geo_code"] for v in values} == {area_a.code, area_a.municipality.cbs_code, "NL"}
    assert api.get("/api/v1/context-values/", {"area": area_b.pk}).json()["count"] == 0
    goals = api.get("/api/v1/area-goals/").json()["results"]
    assert [goal["area"] for goal in goals] == [area_a.pk]
    other = AreaGoal.objects.get(area=area_b)
    assert api.get(f"/api/v1/area-goals/{other.pk}/").status_code == 404


def test_the_api_filters_values(coordinator, area_a, monitored):
    api = APIClient()
    api.force_login(coordinator)
    found = api.get(
        "/api/v1/context-values/",
        {
            "measure": "lbm",
            "geo_level": "area",
            "area": area_a.pk,
            "year_min": 2019,
            "year_max": 2024,
        },
    ).json()
    assert [(v["year"], v["value"]) for v in found["results"]] == [
        (2020, "3.9500"),
        (2024, "4.0200"),
    ]
    assert api.get("/api/v1/context-values/", {"year_min": "x"}).json()["code"] == "invalid"


def test_coordinators_set_goals_and_liaisons_only_read_them(coordinator, liaison_a, area_a, lbm):
    body = {
        "area": area_a.pk,
        "measure": lbm.pk,
        "baseline_year": 2018,
        "target_year": 2030,
        "target_reference": "G4",
    }
    liaison = APIClient()
    liaison.force_login(liaison_a)
    assert liaison.post("/api/v1/area-goals/", body, format="json").status_code == 403
    api = APIClient()
    api.force_login(coordinator)
    created = api.post("/api/v1/area-goals/", body, format="json")
    assert created.status_code == 201, created.json()
    goal = api.get(f"/api/v1/area-goals/{created.json()['id']}/")
    bad = api.patch(
        f"/api/v1/area-goals/{created.json()['id']}/",
        {"target_value": "4.5"},
        format="json",
        HTTP_IF_MATCH=goal["ETag"],
    )
    assert bad.status_code == 400  # a value and a reference place at once
    assert liaison.get(f"/api/v1/area-goals/{created.json()['id']}/").status_code == 200


def test_a_goal_to_reach_the_g4_uses_their_level_weighted_by_inhabitants(coordinator, area_a, lbm):
    inhabitants = ContextMeasure.objects.get(code="inhabitants")
    for code, level, people in [
        ("GM0363", "4.00", 900),
        ("GM0599", "3.80", 600),
        ("GM0518", "3.90", 500),
        ("GM0344", "4.20", 300),
    ]:
        place(lbm, "municipality", code, {2024: level})
        place(inhabitants, "municipality", code, {2024: people})
    figures(area_a, lbm, {2018: "3.50", 2024: "3.70"})
    factories.AreaGoalFactory(area=area_a, measure=lbm, target_value=None, target_reference="G4")
    row = selectors.outcomes(user=coordinator, measures=[lbm])[lbm.pk][0]
    expected = (
        Decimal("4.00") * 900
        + Decimal("3.80") * 600
        + Decimal("3.90") * 500
        + Decimal("4.20") * 300
    ) / 2300
    assert row.target == expected
    assert row.verdict == "better"


def test_the_same_is_the_same_at_the_measures_decimals(coordinator, area_a, lbm):
    figures(area_a, lbm, {2018: "3.9001", 2024: "3.9049"})
    assert selectors.outcomes(user=coordinator, measures=[lbm])[lbm.pk][0].verdict == "same"


def test_demo_figures_are_marked_as_demo(client, coordinator, area_a, lbm):
    figures(area_a, lbm, {2018: "3.90", 2024: "4.00"}, method=ContextValue.Method.DEMO)
    client.force_login(coordinator)
    page = client.get(reverse("pages:area", args=[area_a.pk])).content.decode()
    assert '<span class="demo">demo</span>' in page
    page = client.get(reverse("monitor:compare")).content.decode()
    assert "democijfers, geen echte" in page


def test_the_dashboard_counts_the_areas_since_the_baseline(client, coordinator, monitored, track):
    factories.ReportingPeriodFactory(programme=track.programme)
    client.force_login(coordinator)
    page = client.get(reverse("pages:dashboard")).content.decode()
    assert "sinds de nulmeting: 1 gebieden beter, 0 gelijk, 1 slechter" in page
    assert 'id="map-dashboard-title"' in page and 'id="map-lights-title"' in page


@pytest.mark.parametrize("path", ["monitor:compare", "pages:area", "pages:dashboard"])
def test_pages_cost_the_same_at_1_10_and_50_areas(
    client, coordinator, liaison_a, area_a, lbm, track, path, django_assert_max_num_queries
):
    factories.ReportingPeriodFactory(programme=track.programme)
    figures(area_a, lbm, {2018: "3.9", 2024: "4.0"})
    counts = []
    for total in (1, 10, 50):
        while AreaMembership.objects.filter(user=liaison_a).count() < total:
            area = factories.AreaFactory(tracks=[track])
            AreaMembership.objects.create(user=liaison_a, area=area)
            figures(area, lbm, {2018: "3.9", 2024: "4.0"})
            factories.AreaGoalFactory(area=area, measure=lbm)
        client.force_login(liaison_a)
        args = [area_a.pk] if path == "pages:area" else []
        with django_assert_max_num_queries(45) as captured:
            assert client.get(reverse(path, args=args)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2], counts


def test_an_area_with_a_goal_but_no_figures_yet_says_so(client, coordinator, area_a, lbm):
    factories.AreaGoalFactory(area=area_a, measure=lbm, target_value=Decimal("4.10"))
    client.force_login(coordinator)
    page = client.get(reverse("pages:area", args=[area_a.pk])).content.decode()
    assert "Er zijn nog geen cijfers voor dit gebied." in page
    assert "Het doel voor 2030 is 4,10." in page
