"""Finds a Chromium for the browser tests, installing one where it can.

In this order: the one ``E2E_BROWSER`` names (an environment variable or a setting);
Debian's ``chromium``; Playwright's own, downloaded by ``playwright install chromium``
where that works; Debian's ``chromium`` package through apt-get, when running as root.
"""

import os
import shutil
import subprocess
import sys

DEBIAN_CHROMIUM = "/usr/bin/chromium"
HOW_TO_INSTALL = (
    "No Chromium for the browser tests: install one with 'apt-get install chromium' "
    "(Debian) or '.tools/bin/uv run --frozen playwright install chromium', "
    "or set E2E_BROWSER to a Chromium executable"
)
# Where downloads are blocked Playwright fails within seconds; a stalled one must not
# hold the suite up for long before apt-get gets its turn.
DOWNLOAD_TIMEOUT = 180
APT_TIMEOUT = 900


class BrowserNotFound(Exception):
    pass


def find_chromium(configured="", say=print):
    """The path of a Chromium executable; ``say`` reports each install attempt."""
    if configured:
        if not _executable(configured):
            raise BrowserNotFound(f"E2E_BROWSER={configured} is not an executable file")
        return configured
    found = _debian_chromium() or _playwright_chromium(say) or _apt_chromium(say)
    if not found:
        raise BrowserNotFound(HOW_TO_INSTALL)
    return found


def _executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _debian_chromium():
    for path in (shutil.which("chromium"), DEBIAN_CHROMIUM):
        if _executable(path):
            return path
    return None


def playwright_executable():
    """Where Playwright keeps (or would keep) its own Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return playwright.chromium.executable_path


def _playwright_chromium(say):
    path = playwright_executable()
    if _executable(path):
        return path
    say("e2e: no Chromium found; trying 'playwright install chromium'")
    env = {**os.environ, "PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT": "15000"}
    command = [sys.executable, "-m", "playwright", "install", "chromium"]
    if _run(command, DOWNLOAD_TIMEOUT, env, say) and _executable(path):
        return path
    return None


def _apt_chromium(say):
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return None
    say("e2e: installing Debian's chromium package with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if _run(["apt-get", "update", "-qq"], APT_TIMEOUT, env, say) and _run(
        ["apt-get", "install", "-y", "-qq", "chromium"], APT_TIMEOUT, env, say
    ):
        return _debian_chromium()
    return None


def _run(command, timeout, env, say):
    """Whether ``command`` succeeded; a failure is reported in one line."""
    try:
        result = subprocess.run(command, env=env, timeout=timeout, capture_output=True, text=True)
    except (OSError, subprocess.TimeoutExpired) as error:
        say(f"e2e: {' '.join(command[-3:])} failed: {error}")
        return False
    if result.returncode != 0:
        first = (result.stderr or result.stdout).strip().splitlines()[:1] or ["no output"]
        say(f"e2e: {' '.join(command[-3:])} failed: {first[0]}")
        return False
    return True
