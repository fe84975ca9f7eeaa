"""Spoor 2's knowledge items: who sees them, who writes them, their evidence levels, and
the move from the single level "effective" to the three of the Erkenningscommissie."""

import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import reverse

from interventions.models import EvidenceLevel, Intervention, KnowledgeItem
from tests import factories
from tests.clients import api_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/knowledge-items/"


@pytest.fixture(autouse=True)
def empty_throttle_cache():
    cache.clear()


@pytest.fixture
def items(area_a, area_b):
    work_a = factories.InterventionFactory(area=area_a, title="Buurtcoaches A")
    work_b = factories.InterventionFactory(area=area_b, title="Geheim project B")
    return {
        "a": factories.KnowledgeItemFactory(
            title="Les van A", areas=[area_a], interventions=[work_a]
        ),
        "b": factories.KnowledgeItemFactory(
            title="Les van B", areas=[area_b], interventions=[work_b]
        ),
        "both": factories.KnowledgeItemFactory(title="Les van A en B", areas=[area_a, area_b]),
        "wide": factories.KnowledgeItemFactory(title="Wat werkt landelijk"),
    }


def titles(response):
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_a_liaison_sees_the_items_of_their_area_and_the_programme_wide_ones(liaison_a, items):
    assert titles(api_client(liaison_a).get(URL)) == {
        "Les van A",
        "Les van A en B",
        "Wat werkt landelijk",
    }
    assert api_client(liaison_a).get(f"{URL}{items['b'].pk}/").status_code == 404
    # An item shared by two areas appears once, not once per area.
    assert len(api_client(liaison_a).get(URL).json()["results"]) == 3


def test_coordinators_and_viewers_see_every_item(coordinator, viewer, items):
    for user in (coordinator, viewer):
        assert len(titles(api_client(user).get(URL))) == 4


def test_items_filter_by_area_intervention_and_evidence_level(coordinator, area_b, items):
    client = api_client(coordinator)
    assert titles(client.get(URL, {"area": area_b.pk})) == {"Les van B", "Les van A en B"}
    work_b = items["b"].interventions.get()
    assert titles(client.get(URL, {"intervention": work_b.pk})) == {"Les van B"}
    items["wide"].evidence_level = EvidenceLevel.EFFECTIVE_GOOD
    items["wide"].save()
    assert titles(client.get(URL, {"evidence_level": "effective_good"})) == {"Wat werkt landelijk"}


def test_a_coordinator_records_a_study_with_its_areas_interventions_and_level(
    coordinator, area_a, items
):
    work_a = items["a"].interventions.get()

    response = api_client(coordinator).post(
        URL,
        {
            "title": "Evaluatie buurtcoaches",
            "kind": "study",
            "evidence_level": "effective_first",
            "source": "Verwey-Jonker Instituut, 2025",
            "areas": [area_a.pk],
            "interventions": [work_a.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    item = KnowledgeItem.objects.get(title="Evaluatie buurtcoaches")
    assert item.evidence_level == EvidenceLevel.EFFECTIVE_FIRST
    assert list(item.areas.all()) == [area_a]
    assert list(work_a.knowledge_items.filter(pk=item.pk)) == [item]


def test_an_unknown_evidence_level_is_refused_with_the_levels_named(coordinator):
    response = api_client(coordinator).post(
        URL, {"title": "Les", "evidence_level": "effective"}, format="json"
    )

    assert response.status_code == 400
    assert "evidence_level" in response.json()["errors"]
    assert not KnowledgeItem.objects.exists()


def test_a_liaison_reads_but_does_not_write_items_even_of_their_own_area(liaison_a, area_a, items):
    client = api_client(liaison_a)
    item = items["a"]
    etag = client.get(f"{URL}{item.pk}/")["ETag"]

    created = client.post(URL, {"title": "Eigen les", "areas": [area_a.pk]}, format="json")
    changed = client.patch(f"{URL}{item.pk}/", {"title": "Anders"}, HTTP_IF_MATCH=etag)
    deleted = client.delete(f"{URL}{item.pk}/", HTTP_IF_MATCH=etag)

    assert (created.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    item.refresh_from_db()
    assert item.title == "Les van A"


def test_a_coordinator_cannot_link_an_area_that_does_not_exist(coordinator):
    response = api_client(coordinator).post(URL, {"title": "Les", "areas": [999999]}, format="json")

    assert response.status_code == 400
    assert "areas" in response.json()["errors"]


def test_the_list_costs_the_same_queries_for_more_items(
    coordinator, area_a, django_assert_max_num_queries
):
    client = api_client(coordinator)
    factories.KnowledgeItemFactory(areas=[area_a])
    client.get(URL)  # warm up
    with django_assert_max_num_queries(14):
        assert client.get(URL).status_code == 200
    for _ in range(20):
        factories.KnowledgeItemFactory(
            areas=[area_a], interventions=[factories.InterventionFactory(area=area_a)]
        )
    with django_assert_max_num_queries(14):
        assert client.get(URL).json()["count"] == 21


def test_the_admin_shows_a_liaison_only_the_items_of_their_areas(client, liaison_a, items):
    liaison_a.is_staff = True
    liaison_a.save()
    client.force_login(liaison_a)

    response = client.get(reverse("admin:interventions_knowledgeitem_changelist"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Les van A" in text and "Wat werkt landelijk" in text
    assert "Les van B" not in text
    other = reverse("admin:interventions_knowledgeitem_change", args=[items["b"].pk])
    assert client.get(other).status_code in (302, 404)


def test_old_effective_becomes_the_lowest_effectiveness_level_and_back():
    migration = importlib.import_module(
        "interventions.migrations.0005_knowledge_items_and_recognition_levels"
    )
    work = factories.InterventionFactory()
    described = factories.InterventionFactory(evidence_level=EvidenceLevel.WELL_DESCRIBED)
    Intervention.objects.filter(pk=work.pk).update(evidence_level="effective")
    work.history.update(evidence_level="effective")

    migration.relabel(migration.FORWARD)(apps, None)

    work.refresh_from_db()
    described.refresh_from_db()
    assert work.evidence_level == EvidenceLevel.EFFECTIVE_FIRST
    assert set(work.history.values_list("evidence_level", flat=True)) == {"effective_first"}
    assert described.evidence_level == EvidenceLevel.WELL_DESCRIBED

    Intervention.objects.filter(pk=work.pk).update(evidence_level="effective_strong")
    migration.relabel(migration.BACKWARD)(apps, None)
    work.refresh_from_db()
    assert work.evidence_level == "effective"


def test_an_item_about_an_areas_intervention_is_about_that_area_too(coordinator, area_b, items):
    client = api_client(coordinator)
    work_a = items["a"].interventions.get()

    created = client.post(URL, {"title": "Les", "interventions": [work_a.pk]}, format="json")
    item = items["a"]
    etag = client.get(f"{URL}{item.pk}/")["ETag"]
    moved = client.patch(
        f"{URL}{item.pk}/", {"areas": [area_b.pk]}, format="json", HTTP_IF_MATCH=etag
    )

    assert created.status_code == moved.status_code == 400
    assert "Buurtcoaches A" in str(created.json()["errors"]["interventions"])
    assert not KnowledgeItem.objects.filter(title="Les").exists()
    assert list(item.areas.values_list("name", flat=True)) == ["Gebied A"]


def test_the_admin_form_refuses_an_intervention_outside_the_items_areas(
    superuser_client, area_b, items
):
    work_a = items["a"].interventions.get()

    response = superuser_client.post(
        reverse("admin:interventions_knowledgeitem_add"),
        {
            "title": "Les",
            "kind": "lesson",
            "evidence_level": "not_assessed",
            "areas": [area_b.pk],
            "interventions": [work_a.pk],
        },
    )

    assert response.status_code == 200
    assert "Buurtcoaches A" in str(response.context["adminform"].form.errors["interventions"])
    assert not KnowledgeItem.objects.filter(title="Les").exists()
