"""Browser tests: Playwright driving Chromium against the live test server.

Run only these with ``pytest -m e2e``; CI runs them as part of ``make test``. The
session finds (or installs) a Chromium before any test runs, see ``browser.py``; when
none can be had it stops with one line saying how to install one: never a silent skip.
"""

import os
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from tests.e2e.browser import BrowserNotFound, find_chromium

CHROMIUM = pytest.StashKey[str]()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the database calls the
# tests make around it are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATimeOnSharedConnections(ThreadedWSGIServer):
    """On in-memory SQLite every request thread uses the tests' one connection, and so
    one transaction state: two requests at once (two browser pages, or a page and its
    scripts) fail with "cannot start a transaction within a transaction". There the
    requests take turns; a response holds the turn until it is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.turn = threading.Lock()

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)

        def in_turn(environ, start_response):
            self.turn.acquire()
            try:
                return ReleasedOnClose(application(environ, start_response), self.turn)
            except BaseException:
                self.turn.release()
                raise

        return super().set_app(in_turn)


class ReleasedOnClose:
    """A WSGI response that gives the turn back when the server closes it, which it
    does after the last byte, on an error and when the browser goes away."""

    def __init__(self, response, turn):
        self.response = response
        self.turn = turn
        self.closed = False

    def __iter__(self):
        return iter(self.response)

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.turn.release()


LiveServerThread.server_class = OneRequestAtATimeOnSharedConnections


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # The live server needs committed data; the migrated roles come back after
            # each test (see the browser fixture).
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


def pytest_collection_finish(session):
    """Find the browser once, before the first test, when browser tests are to run."""
    if session.config.option.collectonly:
        return
    if not any(item.get_closest_marker("e2e") for item in session.items):
        return
    from django.conf import settings

    configured = os.environ.get("E2E_BROWSER") or getattr(settings, "E2E_BROWSER", "")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    say = reporter.write_line if reporter else print
    try:
        session.config.stash[CHROMIUM] = find_chromium(configured, say)
    except BrowserNotFound as error:
        pytest.exit(str(error), returncode=pytest.ExitCode.TESTS_FAILED)


@pytest.fixture(scope="session")
def playwright(django_db_setup):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # The database as migrated (with the roles), which each test's serialized rollback
    # restores; the test database's set-up kept it on this thread's connections.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # Playwright's event loop now runs in this thread, so Django hands the thread
        # other connections, as in async code. Without the contents they restore nothing
        # and the migrated roles are gone after the first transactional test.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        yield playwright
        connections.close_all()


@pytest.fixture(scope="session")
def live_server(playwright, live_server):
    """pytest-django's live server, started once Playwright runs: on SQLite its request
    threads then share the very connection the tests use."""
    return live_server


@pytest.fixture(scope="session")
def browser(pytestconfig, playwright, live_server):
    """Chromium, closed before the live server stops (its request threads end with the
    browser's connections, while they may still use the shared SQLite connection)."""
    executable = pytestconfig.stash[CHROMIUM]
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, email, password="test-wachtwoord-123"):
    page.goto("/admin/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()


def sign_in_on_pages(page, email, password="test-wachtwoord-123"):
    """Sign in through the pages' own sign-in form; it lands on the dashboard."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/")
