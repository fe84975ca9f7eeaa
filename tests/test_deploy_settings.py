"""Production settings: `check --deploy` clean, security headers, generic error pages,
structured logs without secrets."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.test import Client
from rest_framework.test import APIClient

from config.requestlog import JsonFormatter, RequestContextFilter
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "k3J#9vQ2!xLmP7zR4tY8wE1uI6oA5sD0fG-hJ_kLzXcVbNm12345",
    "ALLOWED_HOSTS": "register.example.nl",
    "DATABASE_URL": "sqlite:///:memory:",
}


# The browser tests allow synchronous database calls beside Playwright's event loop; a
# production process never has that, so the checks run without it.
TEST_ONLY_ENV = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, env=None):
    environment = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in TEST_ONLY_ENV
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SECRET_KEY", "short"), ("SECRET_KEY", "a" * 60), ("ALLOWED_HOSTS", "*"), ("DEBUG", "true")],
)
def test_production_refuses_an_unsafe_configuration(variable, value):
    result = manage("check", env={**PRODUCTION_ENV, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_turns_on_hsts_secure_cookies_and_json_logs():
    script = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
        "s.CSRF_COOKIE_SECURE, s.LOGGING['handlers']['console']['formatter'],"
        "'rest_framework.renderers.BrowsableAPIRenderer' in "
        "s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']]))"
    )
    result = manage("shell", "-c", script, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    hsts, redirect, session_secure, csrf_secure, formatter, browsable = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert hsts >= 31536000 and redirect and session_secure and csrf_secure
    assert formatter == "json"
    assert not browsable


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/v1/", "/api/docs/", "/nergens/"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) >= 8


@pytest.mark.django_db
def test_the_api_docs_run_their_inline_script_by_nonce_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    nonce = response.wsgi_request.csp_nonce
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html
    assert "<script>" not in html and "<style>" not in html


@pytest.mark.django_db
def test_the_request_id_of_the_proxy_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/api/v1/", HTTP_X_REQUEST_ID="proxy-1234abcd")["X-Request-ID"] == (
        "proxy-1234abcd"
    )
    replaced = client.get("/api/v1/", HTTP_X_REQUEST_ID="<script>\n")["X-Request-ID"]
    assert replaced != "<script>\n" and replaced.isalnum()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), [("/nergens/", 404), ("/admin/login/?x", 200)])
def test_error_pages_are_generic(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    if status == 404:
        html = response.content.decode()
        assert "Traceback" not in html and "urlpatterns" not in html.lower()
        assert "<h1>" in html


@pytest.fixture
def failing_view(monkeypatch):
    """The interventions list fails with a database error carrying internal details."""
    from interventions.api.views import InterventionViewSet

    def explode(self, request, *args, **kwargs):
        raise DatabaseError('relation "interventions_intervention" secret_column does not exist')

    monkeypatch.setattr(InterventionViewSet, "list", explode)


def test_an_api_500_is_json_in_the_one_shape_without_internals(db, failing_view, caplog):
    client = APIClient(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True))
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/interventions/")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == 500 and body["code"] == "server_error"
    assert "secret_column" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    # The log has the details and the request id the client can quote.
    request_id = response["X-Request-ID"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(r.request_id == request_id for r in errors)
    assert any(r.exc_info for r in errors)


def test_a_page_500_is_the_generic_page(db, monkeypatch):
    from django.contrib.admin import AdminSite

    def explode(self, request, app_label=None):
        raise DatabaseError("secret_column")

    monkeypatch.setattr(AdminSite, "get_app_list", explode)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "secret_column" not in html and "Traceback" not in html
    assert "<h1>" in html


def formatted(record):
    RequestContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_json_with_actor_action_object_result_and_request_id(db, client, caplog):
    user = UserFactory(is_superuser=True)
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="register.access"):
        response = client.get("/api/v1/areas/", HTTP_X_REQUEST_ID="trace-abcdef12")
    record = next(r for r in caplog.records if r.name == "register.access")
    line = formatted(record)
    assert line["request_id"] == response["X-Request-ID"] == "trace-abcdef12"
    assert line["actor"] == f"user:{user.pk}"
    assert line["action"] == "GET area-list"
    assert line["object"] == "-"
    assert line["result"] == 200
    assert user.email not in json.dumps(line)


def test_no_log_line_carries_a_password_a_token_or_a_query_string(db, client, caplog):
    user = UserFactory(email="inlog@example.org")
    secret = "Zeer-Geheim-Wachtwoord-987"
    with caplog.at_level(logging.DEBUG):
        client.post("/admin/login/", {"username": user.email, "password": secret})
        client.post("/admin/login/", {"username": user.email, "password": "test-wachtwoord-123"})
        APIClient().get(
            "/api/v1/areas/?token=querysecret123", HTTP_AUTHORIZATION="Token headersecret123"
        )
        logging.getLogger("register").info("extra", extra={"password": secret, "api_key": "x"})
    lines = [json.dumps(formatted(record)) for record in caplog.records]
    text = "\n".join(lines)
    assert lines
    for leaked in (secret, "test-wachtwoord-123", "querysecret123", "headersecret123"):
        assert leaked not in text
