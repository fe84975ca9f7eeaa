"""The Content Security Policy breaks nothing: the admin, the pages, the Swagger UI and
the browsable API run in Chromium without a single blocked script (or, outside the
development-only browsable API, a blocked style)."""

import pytest

from tests.factories import UserFactory

PASSWORD = "test-wachtwoord-123"


@pytest.fixture
def violations(page):
    found = []

    def note(message):
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def sign_in(page, live_server, client):
    user = UserFactory(email="csp@example.org", is_superuser=True)
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/interventions/intervention/add/", "/admin/areas/area/", "/"],
)
def test_admin_and_pages_run_under_the_policy(path, page, live_server, client, violations):
    sign_in(page, live_server, client)
    response = page.goto(path)
    assert response.status == 200
    assert "script-src" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_swagger_ui_renders_under_the_policy(page, live_server, client, violations):
    sign_in(page, live_server, client)
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15000)
    assert violations == []


def test_the_browsable_api_runs_its_scripts(page, live_server, client, violations):
    sign_in(page, live_server, client)
    response = page.goto("/api/v1/areas/")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    # Its templates carry a few style="" attributes (cosmetic, development only).
    assert [v for v in violations if "style" not in v] == []
