"""Screenshots of the main pages for the README, taken from a server running the demo
data (`make run`): `uv run python docs/screenshots/take.py [http://127.0.0.1:8000]`."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
HERE = Path(__file__).parent
PASSWORD = "demo-wachtwoord-2026"
AREA = "Rotterdam-Zuid"  # the demo area with the most history
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = [
    ("coordinator@demo.example", "/", "dashboard.png"),
    ("coordinator@demo.example", "/gebieden/{area}/", "area.png"),
    ("rotterdam@demo.example", "/mijn-kwartaal/", "my-quarter.png"),
]


def sign_in(page, email):
    page.goto(f"{BASE}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{BASE}/")


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    for email, path, name in SHOTS:
        page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        sign_in(page, email)
        area = page.locator("main table a[href^='/gebieden/']", has_text=AREA).first.get_attribute(
            "href"
        )
        page.goto(BASE + path.replace("/gebieden/{area}/", area))
        page.screenshot(path=HERE / name, full_page=True)
        page.context.close()
    browser.close()
