"""Every API resource × every persona: who reads which rows, who may write.

The resources are read from the router, so a new endpoint is in the matrix at once,
and fails until its model has a place in tests/doors.py.
"""

import pytest
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import ApiToken
from config.api import router
from tests.conftest import make_user
from tests.doors import CATEGORY, reference_row, row_in

# Every resource with a list (export jobs are asked for and fetched one by one: their
# doors are walked by tests/security/test_url_matrix.py).
RESOURCES = [
    (prefix, viewset) for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")
]
PERSONAS = ["coordinator", "liaison_a", "liaison_b", "viewer", "token", "anonymous"]


@pytest.fixture
def api_client_for(personas):
    """A client for a persona; 'token' is an analyst's read-only API token."""

    def client_for(persona):
        client = APIClient()
        if persona == "token":
            analyst = make_user("analist@example.org", roles.VIEWER)
            _token, key = ApiToken.objects.create(user=analyst, name="Power BI")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        elif personas[persona] is not None:
            client.force_login(personas[persona])
        return client

    return client_for


def test_every_resource_has_a_place_in_the_matrix():
    missing = [p for p, viewset in RESOURCES if viewset.queryset.model not in CATEGORY]
    assert missing == [], "add these models to tests/doors.py CATEGORY"


def sees(persona, category, home):
    """Whether ``persona`` sees a row that lives in area ``home`` ('a' or 'b')."""
    if persona == "anonymous":
        return False
    if category in ("reference", "shared"):
        return True
    if category == "users":
        return persona == "coordinator"
    if category == "deal" and persona.startswith("liaison"):
        return False
    return not persona.startswith("liaison") or persona == f"liaison_{home}"


def reaches_list(persona, category):
    if persona == "anonymous":
        return False
    if category == "deal" and persona.startswith("liaison"):
        return False  # liaisons have no view permission on Regio Deals
    return True


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _v in RESOURCES])
def test_api_doors(prefix, viewset, persona, area_a, area_b, api_client_for):
    model = viewset.queryset.model
    category = CATEGORY[model]
    if category in ("reference", "users"):
        rows = {"a": reference_row(model), "b": reference_row(model)}
    else:
        rows = {"a": row_in(model, area_a), "b": row_in(model, area_b)}
    client = api_client_for(persona)

    listing = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
    if persona == "anonymous":
        assert listing.status_code in (401, 403)
        assert set(listing.json()) == {"status", "code", "detail", "errors"}
        return
    if not reaches_list(persona, category):
        assert listing.status_code == 403
        return
    assert listing.status_code == 200
    listed = {row["id"] for row in listing.json()["results"]}
    missing = client.get(f"/api/v1/{prefix}/999999/")
    for home, row in rows.items():
        visible = sees(persona, category, home)
        assert (row.pk in listed) == visible, (home, "list")
        detail = client.get(f"/api/v1/{prefix}/{row.pk}/")
        if visible:
            assert detail.status_code == 200
            assert detail["ETag"]
        else:
            # Exactly the answer for a row that does not exist.
            assert detail.status_code == missing.status_code == 404
            assert detail.json() == missing.json()


@pytest.mark.parametrize(("prefix", "viewset"), RESOURCES, ids=[p for p, _v in RESOURCES])
def test_a_read_only_token_cannot_write(prefix, viewset, area_a, api_client_for):
    client = api_client_for("token")
    assert client.post(f"/api/v1/{prefix}/", {}).status_code in (403, 405)
