"""axe-core finds no WCAG violation on any page, with real content on it."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from reporting import services
from reporting.models import Escalation
from tests import factories
from tests.e2e.conftest import sign_in, sign_in_on_pages

AXE = Axe()


def assert_no_violations(page, **options):
    # The data tables behind the charts are folded away; axe must see them too.
    for details in page.locator("details").all():
        details.evaluate("element => { element.open = true; }")
    results = AXE.run(page, **options)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def quarter_with_content(coordinator, area_a, track):
    partner = factories.PartnerFactory(name="Woonstichting Voorbeeld")
    factories.AreaPartnerFactory(area=area_a, partner=partner)
    intervention = factories.InterventionFactory(area=area_a, lead_partner=partner)
    factories.FundingLineFactory(intervention=intervention)
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=3,
        deadline=datetime.date(2026, 10, 15),  # passed: the report is late
        user=coordinator,
    )
    report = period.reports.get(area=area_a)
    factories.EscalationFactory(report=report, status=Escalation.Status.OPEN)
    return period


@pytest.mark.parametrize("persona", ["coordinator", "liaison_a"])
def test_every_page_passes_axe(page, request, persona, area_a, quarter_with_content):
    page.goto("/accounts/login/")
    assert_no_violations(page)

    sign_in_on_pages(page, request.getfixturevalue(persona).email)
    for path in ["/", f"/gebieden/{area_a.pk}/", "/mijn-kwartaal/", "/?quarter=0&track=x"]:
        page.goto(path)
        assert page.locator("h1").count() == 1
        assert_no_violations(page)


def test_the_pages_work_with_the_keyboard_alone(page, coordinator, quarter_with_content):
    page.goto("/accounts/login/")
    sign_in_on_pages(page, coordinator.email)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


@pytest.mark.parametrize("persona", ["coordinator", "liaison_a"])
def test_the_area_monitor_passes_axe_and_works_with_the_keyboard(
    page, request, persona, area_a, area_b, quarter_with_content
):
    from decimal import Decimal

    from monitor import services as monitor

    monitor.load_reference()
    lbm = "lbm"
    for area, values in ((area_a, ("3.90", "4.02")), (area_b, ("4.10", "4.00"))):
        for year, value in zip((2018, 2024), values, strict=True):
            factories.ContextValueFactory(
                area=area, measure__code=lbm, year=year, value=Decimal(value)
            )
    factories.AreaGoalFactory(area=area_a, measure__code=lbm, target_value=Decimal("4.10"))
    page.goto("/accounts/login/")
    sign_in_on_pages(page, request.getfixturevalue(persona).email)
    for path in ["/monitor/", "/monitor/?measure=inhabitants", f"/gebieden/{area_a.pk}/", "/"]:
        page.goto(path)
        assert page.locator("h1").count() == 1
        assert_no_violations(page)
    page.goto("/monitor/")
    # The measure and the year are chosen with the keyboard alone.
    page.locator("#id_measure").focus()
    page.keyboard.press("End")
    page.locator("form.choose button[type=submit]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "measure=" in page.url


LINTBLAUW = "rgb(21, 66, 115)"
CONTRAST_ONLY = {"runOnly": {"type": "rule", "values": ["color-contrast"]}}


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_admin_wears_the_pages_look_and_passes_axe(
    browser, live_server, color_scheme, coordinator, area_a, quarter_with_content
):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", color_scheme=color_scheme
    )
    page = context.new_page()
    try:
        page.goto("/admin/login/")
        assert_no_violations(page)
        sign_in(page, coordinator.email)
        header = page.locator("#header")
        assert header.evaluate("element => getComputedStyle(element).backgroundColor") == LINTBLAUW
        body_background = page.locator("body").evaluate(
            "element => getComputedStyle(element).backgroundColor"
        )
        assert (body_background == "rgb(18, 18, 18)") == (color_scheme == "dark")
        # "View site" leads from the admin to the dashboard.
        page.get_by_role("link", name="Website bekijken", exact=True).click()
        assert page.locator("h1").count() == 1
        assert page.url == live_server.url + "/"
        for path in ["/admin/", "/admin/areas/area/", "/admin/reporting/areareport/"]:
            page.goto(path)
            assert_no_violations(page)
        # Forms: the colours of every widget (Django's own change forms have axe findings
        # of their own, in tabular inlines and the two-list selector, that no look fixes).
        for path in [
            f"/admin/areas/area/{area_a.pk}/change/",
            f"/admin/programme/reportingperiod/{quarter_with_content.pk}/change/",
            "/admin/accounts/user/add/",
        ]:
            page.goto(path)
            assert_no_violations(page, options=CONTRAST_ONLY)
    finally:
        context.close()
