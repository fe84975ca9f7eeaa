"""The browser tests' Chromium finder tries its sources in order, installing nothing here:
the file system, the commands it runs and who we are are all stand-ins."""

import subprocess
from types import SimpleNamespace

import pytest

from tests.e2e import browser
from tests.e2e import conftest as e2e_conftest

DEBIAN = browser.DEBIAN_CHROMIUM
PLAYWRIGHTS = "/root/.cache/ms-playwright/chromium-1/chrome-linux64/chrome"


class Machine:
    """A pretend machine: which executables exist, and what each command does to it."""

    def __init__(self, monkeypatch, files=(), root=True, apt=True, installs=None):
        self.files = set(files)
        self.installs = installs or {}  # command word -> the file it adds, None: it fails
        self.commands = []
        monkeypatch.setattr(browser, "_executable", lambda path: path in self.files)
        monkeypatch.setattr(browser.shutil, "which", self.which)
        monkeypatch.setattr(browser.os, "geteuid", lambda: 0 if root else 1000)
        monkeypatch.setattr(browser, "playwright_executable", lambda: PLAYWRIGHTS)
        monkeypatch.setattr(browser.subprocess, "run", self.run)
        self.apt = apt

    def which(self, name):
        if name == "apt-get":
            return "/usr/bin/apt-get" if self.apt else None
        return DEBIAN if name == "chromium" and DEBIAN in self.files else None

    def run(self, command, **kwargs):
        assert kwargs["timeout"]
        self.commands.append(" ".join(command[-3:]))
        key = "playwright" if "playwright" in command else command[1]
        if key not in self.installs:
            return subprocess.CompletedProcess(command, 0, "", "")
        added = self.installs[key]
        if added is None:
            return subprocess.CompletedProcess(command, 1, "", "Error: no network\nmore")
        self.files.add(added)
        return subprocess.CompletedProcess(command, 0, "", "")


def test_the_configured_browser_comes_first(monkeypatch):
    machine = Machine(monkeypatch, files={"/opt/chrome", DEBIAN, PLAYWRIGHTS})
    assert browser.find_chromium("/opt/chrome") == "/opt/chrome"
    assert machine.commands == []


def test_a_configured_browser_that_is_not_there_stops_rather_than_another_is_used(monkeypatch):
    Machine(monkeypatch, files={DEBIAN})
    with pytest.raises(browser.BrowserNotFound, match="E2E_BROWSER=/opt/chrome"):
        browser.find_chromium("/opt/chrome")


def test_debians_chromium_before_playwrights(monkeypatch):
    machine = Machine(monkeypatch, files={DEBIAN, PLAYWRIGHTS})
    assert browser.find_chromium() == DEBIAN
    assert machine.commands == []


def test_playwrights_own_browser_when_already_downloaded(monkeypatch):
    machine = Machine(monkeypatch, files={PLAYWRIGHTS})
    assert browser.find_chromium() == PLAYWRIGHTS
    assert machine.commands == []


def test_playwright_downloads_its_browser_before_apt_is_tried(monkeypatch):
    machine = Machine(monkeypatch, installs={"playwright": PLAYWRIGHTS, "install": DEBIAN})
    said = []
    assert browser.find_chromium(say=said.append) == PLAYWRIGHTS
    assert machine.commands == ["playwright install chromium"]
    assert said == ["e2e: no Chromium found; trying 'playwright install chromium'"]


def test_apt_installs_debians_chromium_when_the_download_fails(monkeypatch):
    machine = Machine(monkeypatch, installs={"playwright": None, "install": DEBIAN})
    said = []
    assert browser.find_chromium(say=said.append) == DEBIAN
    assert machine.commands == [
        "playwright install chromium",
        "apt-get update -qq",
        "-y -qq chromium",
    ]
    assert "e2e: playwright install chromium failed: Error: no network" in said


def test_a_stalled_download_falls_through_to_apt(monkeypatch):
    machine = Machine(monkeypatch, installs={"install": DEBIAN})

    def stalled(command, **kwargs):
        if "playwright" in command:
            raise subprocess.TimeoutExpired(command, kwargs["timeout"])
        return machine.run(command, **kwargs)

    monkeypatch.setattr(browser.subprocess, "run", stalled)
    assert browser.find_chromium(say=lambda line: None) == DEBIAN


@pytest.mark.parametrize("root, apt", [(False, True), (True, False)])
def test_no_apt_without_root_and_apt_get(monkeypatch, root, apt):
    machine = Machine(monkeypatch, root=root, apt=apt, installs={"playwright": None})
    with pytest.raises(browser.BrowserNotFound) as stopped:
        browser.find_chromium(say=lambda line: None)
    assert machine.commands == ["playwright install chromium"]
    assert str(stopped.value) == browser.HOW_TO_INSTALL
    assert "\n" not in browser.HOW_TO_INSTALL


def test_stops_with_how_to_install_when_apt_fails_too(monkeypatch):
    Machine(monkeypatch, installs={"playwright": None, "update": None})
    with pytest.raises(browser.BrowserNotFound, match="apt-get install chromium"):
        browser.find_chromium(say=lambda line: None)


class Session:
    """What the e2e conftest's hook reads of a pytest session."""

    def __init__(self, marks):
        self.items = [SimpleNamespace(get_closest_marker=marks.get) for marks in marks]
        self.config = SimpleNamespace(
            option=SimpleNamespace(collectonly=False),
            pluginmanager=SimpleNamespace(get_plugin=lambda name: None),
            stash={},
        )


def test_a_session_with_browser_tests_and_no_browser_stops_before_any_test_in_one_line(
    monkeypatch,
):
    monkeypatch.setenv("E2E_BROWSER", "/nowhere/chromium")
    with pytest.raises(pytest.exit.Exception) as stopped:
        e2e_conftest.pytest_collection_finish(Session([{}, {"e2e": True}]))
    assert stopped.value.returncode == pytest.ExitCode.TESTS_FAILED
    assert stopped.value.msg == "E2E_BROWSER=/nowhere/chromium is not an executable file"


def test_the_browser_is_found_once_per_session_and_only_for_browser_tests(monkeypatch):
    found = []
    monkeypatch.setattr(e2e_conftest, "find_chromium", lambda *args: found.append(1) or "/c")
    e2e_conftest.pytest_collection_finish(Session([{}]))
    assert found == []
    session = Session([{"e2e": True}, {"e2e": True}])
    e2e_conftest.pytest_collection_finish(session)
    assert found == [1]
    assert session.config.stash[e2e_conftest.CHROMIUM] == "/c"
