"""The programme's horizon and its tracks or lines of action, as the API shows them."""

import pytest
from rest_framework.test import APIClient

from programme.models import Track
from tests.factories import ProgrammeFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nplv():
    programme = ProgrammeFactory(code="nplv-2022", start_year=2022, end_year=2042)
    for number, name in [(1, "Integrale aanpak"), (2, "Wonen")]:
        TrackFactory(programme=programme, kind=Track.Kind.ACTIELIJN, number=number, name=name)
    return programme


def signed_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_a_programme_shows_its_horizon_and_lines_of_action(liaison_a, nplv):
    response = signed_in(liaison_a).get(f"/api/v1/programmes/{nplv.pk}/")

    assert response.status_code == 200
    assert (response.data["start_year"], response.data["end_year"]) == (2022, 2042)
    assert [(t["kind"], t["number"], t["name"]) for t in response.data["tracks"]] == [
        ("actielijn", 1, "Integrale aanpak"),
        ("actielijn", 2, "Wonen"),
    ]


def test_tracks_filter_by_kind(coordinator, track, nplv):
    response = signed_in(coordinator).get("/api/v1/tracks/", {"kind": "actielijn"})

    assert response.status_code == 200
    assert {row["programme_code"] for row in response.data["results"]} == {"nplv-2022"}
    assert response.data["count"] == 2
