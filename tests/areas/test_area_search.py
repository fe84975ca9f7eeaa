"""An area is found by the other names the letters and agreements use for it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import AreaFactory


@pytest.fixture
def zaandam_oost(db):
    return AreaFactory(name="Zaandam Oost", aliases="Zaanstad Oost")


@pytest.fixture
def other_area(db):
    return AreaFactory(name="Delft West")


def test_admin_search_finds_an_area_by_its_alias(superuser_client, zaandam_oost, other_area):
    response = superuser_client.get(reverse("admin:areas_area_changelist"), {"q": "Zaanstad"})

    assert list(response.context["cl"].result_list) == [zaandam_oost]


def test_admin_autocomplete_finds_an_area_by_its_alias(superuser_client, zaandam_oost, other_area):
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "areas",
            "model_name": "neighbourhood",
            "field_name": "area",
            "term": "Zaanstad Oost",
        },
    )

    assert [result["text"] for result in response.json()["results"]] == ["Zaandam Oost"]


def test_api_search_finds_an_area_by_its_alias(coordinator, zaandam_oost, other_area):
    client = APIClient()
    client.force_login(coordinator)

    response = client.get("/api/v1/areas/", {"search": "Zaanstad Oost"})

    assert [area["name"] for area in response.json()["results"]] == ["Zaandam Oost"]
    assert response.json()["results"][0]["aliases"] == "Zaanstad Oost"


def test_liaison_does_not_find_another_area_by_its_alias(liaison_a, zaandam_oost):
    client = APIClient()
    client.force_login(liaison_a)

    response = client.get("/api/v1/areas/", {"search": "Zaanstad"})

    assert response.json()["results"] == []
