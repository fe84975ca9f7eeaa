"""The quarter in a real browser: a liaison fills and submits from "my quarter", the
coordinator returns it from the dashboard with a comment, the liaison fixes and
resubmits, the coordinator approves and downloads the quarterly report."""

import datetime

import openpyxl
from playwright.sync_api import expect

from reporting import services
from reporting.models import AreaReport, ReportTransition
from tests import factories
from tests.e2e.conftest import sign_in_on_pages


def new_page(browser, live_server):
    return browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()


def submit_step(page, comment=""):
    """The admin's confirmation page of a workflow step; returns once the page it leads
    to has loaded, so the step is stored before the test reads it."""
    if comment:
        page.locator("#id_comment").fill(comment)
    with page.expect_navigation():
        page.locator("form input[type=submit].default").click()


def test_a_quarter_from_my_quarter_to_the_export(
    browser, live_server, coordinator, liaison_a, area_a, track, tmp_path
):
    factories.InterventionFactory(area=area_a, title="Huiswerkklas Zuid")
    period = services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )
    report = period.reports.get(area=area_a)
    liaison = new_page(browser, live_server)
    chief = new_page(browser, live_server)

    # The liaison sees what is left to do and fills the update.
    sign_in_on_pages(liaison, liaison_a.email)
    liaison.locator("nav a[href='/mijn-kwartaal/']").click()
    to_do = liaison.locator("main table")
    assert "Huiswerkklas Zuid" in to_do.inner_text()
    to_do.locator("a[href*='/admin/reporting/progressupdate/']").click()
    liaison.locator("#id_light").select_option("green")
    liaison.locator("#id_narrative").fill("De klas draait, 40 leerlingen.")
    liaison.locator("input[name=_save]").click()
    liaison.goto("/mijn-kwartaal/")
    assert liaison.locator("main table").count() == 0  # every update is filled in
    liaison.locator("main a.button.secondary").click()  # the report: its overall light
    liaison.locator("#id_overall_light").select_option("green")
    liaison.locator("input[name=_save]").click()
    liaison.goto("/mijn-kwartaal/")
    liaison.locator("a[href*='/step/submit/']").click()
    submit_step(liaison)
    liaison.wait_for_url("**/mijn-kwartaal/")
    report.refresh_from_db()
    assert report.status == AreaReport.Status.SUBMITTED

    # The coordinator sees it submitted on the dashboard and returns it.
    sign_in_on_pages(chief, coordinator.email)
    row = chief.locator("#areas-caption ~ tbody tr", has_text=area_a.name)
    assert str(AreaReport.Status.SUBMITTED.label) in row.inner_text()
    chief.goto(f"/admin/reporting/areareport/{report.pk}/change/")
    chief.locator("a[href$='/step/return/']").click()
    submit_step(chief, comment="Graag de risico's van de huiswerkklas beschrijven.")
    report.refresh_from_db()
    assert report.status == AreaReport.Status.RETURNED

    # The liaison reads the comment, fixes the update and submits again.
    liaison.goto("/mijn-kwartaal/")
    assert str(AreaReport.Status.RETURNED.label) in liaison.locator("main").inner_text()
    liaison.locator("main a.button.secondary").click()
    # The comment is in the workflow history at the end of the page: wait for it rather
    # than read a page still being parsed.
    expect(liaison.locator("#content")).to_contain_text("Graag de risico's")
    liaison.locator("#content a[href*='/reporting/progressupdate/'][href$='/change/']").click()
    liaison.locator("#id_risks").fill("Vervanging bij ziekte van de begeleiders.")
    liaison.locator("input[name=_save]").click()
    liaison.goto("/mijn-kwartaal/")
    liaison.locator("a[href*='/step/submit/']").click()
    submit_step(liaison)
    report.refresh_from_db()
    assert report.status == AreaReport.Status.SUBMITTED

    # The coordinator approves and downloads the quarterly report from the dashboard.
    chief.goto(f"/admin/reporting/areareport/{report.pk}/change/")
    chief.locator("a[href$='/step/approve/']").click()
    submit_step(chief)
    report.refresh_from_db()
    assert report.status == AreaReport.Status.APPROVED
    assert list(
        ReportTransition.objects.filter(report=report).values_list("to_status", flat=True)
    ) == ["submitted", "returned", "submitted", "approved"]

    chief.goto("/")
    assert (
        str(AreaReport.Status.APPROVED.label)
        in chief.locator("#areas-caption ~ tbody").inner_text()
    )
    # The whole quarter is made in the background: start it, then download from its page.
    chief.locator("a[href$='/export/xlsx/']").click()
    chief.locator("input[type=submit]").click()
    with chief.expect_download() as download:
        chief.locator("a[href*='/exports/'][download]").click()
    path = tmp_path / "kwartaal.xlsx"
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = [str(cell) for sheet in workbook for row in sheet.values for cell in row]
    assert "Huiswerkklas Zuid" in cells
    assert "De klas draait, 40 leerlingen." in cells
