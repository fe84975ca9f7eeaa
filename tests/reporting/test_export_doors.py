"""Every door that downloads the quarter's data goes through the export service and leaves
one ExportLog row saying who took what, through which door: the admin, the pages (whose
links lead into the admin), the API, the quarterly-report endpoint and the command. A
whole quarter is a background job: its row is written when the file is made, and its
requester's downloads of that one file add none."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import services
from reporting.models import AreaReport, ExportLog
from tests import factories
from tests.pages.html import parse
from tests.security.test_url_matrix import DOORS

# Every URL that hands out a file of the quarter's data, by name; a new one must be added
# here (and to the walk below) or this module fails.
DOWNLOAD_DOOR = re.compile(r"(export|template|download)(-format)?$|quarterly-report")
WALKED = {
    "admin:programme_reportingperiod_export",
    "admin:reporting_areareport_template",
    "reportingperiod-export",
    "area-report-template",
    "quarterly-report",
    "exportjob-download",
    "pages:export-job-download",
}
# Downloads that hand out no quarter data: an area's dossier documents (uploaded files,
# tested in tests/areas/test_dossier.py).
NOT_QUARTER_DATA = {"areadocument-download"}


@pytest.fixture
def quarter(coordinator, track, area_a):
    factories.InterventionFactory(area=area_a)
    return services.quarter_open(
        programme=track.programme,
        year=2026,
        quarter=4,
        deadline=datetime.date(2099, 1, 15),
        user=coordinator,
    )


def test_every_download_door_is_walked():
    names = {door.name for door in DOORS if door.name and DOWNLOAD_DOOR.search(door.name)}
    # The API's format-suffixed twins are the same views.
    assert {name for name in names if not name.endswith("-format")} - NOT_QUARTER_DATA <= WALKED


def logged_since(before):
    return list(ExportLog.objects.filter(pk__gt=before).order_by("pk"))


def last_pk():
    return ExportLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def download(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    assert "attachment" in response["Content-Disposition"]
    return response


def test_each_door_leaves_one_row(
    tmp_path, client_for, coordinator, quarter, area_a, django_capture_on_commit_callbacks
):
    report = AreaReport.objects.get(period=quarter, area=area_a)
    admin = client_for(coordinator)
    api = APIClient()
    api.force_login(coordinator)
    dashboard = parse(admin.get(reverse("pages:dashboard")).content)
    page_links = [
        link.get("href")
        for link in dashboard.find_all("a")
        if "/export/" in (link.get("href") or "")
    ]
    assert len(page_links) == 3  # XLSX, CSV and PDF

    doors = [
        *[
            (admin, link, None, ("page", "report", fmt))
            for link, fmt in zip(page_links, ["xlsx", "csv", "pdf"], strict=True)
        ],
        *[
            (
                admin,
                reverse("admin:programme_reportingperiod_export", args=[quarter.pk, fmt]),
                {"area": area_a.pk},
                ("admin", "report", fmt),
            )
            for fmt in ("xlsx", "csv", "pdf")
        ],
        (
            admin,
            reverse("admin:reporting_areareport_template", args=[report.pk]),
            None,
            ("admin", "template", "xlsx"),
        ),
        *[
            (
                api,
                reverse("reportingperiod-export", args=[quarter.pk]),
                {"filetype": fmt, "area": area_a.pk},
                ("api", "report", fmt),
            )
            for fmt in ("xlsx", "csv", "pdf")
        ],
        (
            api,
            reverse("area-report-template", args=[report.pk]),
            None,
            ("api", "template", "xlsx"),
        ),
        *[
            (
                api,
                reverse("quarterly-report"),
                {"quarter": quarter.label, "download": fmt},
                ("api", "summary", fmt),
            )
            for fmt in ("xlsx", "csv")
        ],
    ]
    for client, url, params, (via, kind, fmt) in doors:
        before = last_pk()
        if via == "page":  # the whole quarter: a page that starts a job, which writes the row
            start = client.get(url)
            assert start.status_code == 200 and "Content-Disposition" not in start
            assert logged_since(before) == []
            with django_capture_on_commit_callbacks(execute=True):
                job_page = client.post(url)
            job_id = int(job_page["Location"].rstrip("/").rsplit("/", 1)[1])
        else:
            download(client, url, params)
        (row,) = logged_since(before)
        # The pages' links lead into the admin: they are logged as the admin's.
        assert (row.via, row.kind, row.format) == ("admin" if via == "page" else via, kind, fmt)
        assert row.user == coordinator and row.period == quarter
        assert row.area == (area_a if params and "area" in params or kind == "template" else None)
        if via == "page":  # the job's file, fetched twice: once more logged is none
            before = last_pk()
            download(client, reverse("pages:export-job-download", args=[job_id]))
            download(api, reverse("exportjob-download", args=[job_id]))
            assert logged_since(before) == []

    before = last_pk()
    call_command(
        "export_quarter",
        quarter.label,
        format="csv",
        output=str(tmp_path / "kwartaal.zip"),
        user=coordinator.email,
    )
    (row,) = logged_since(before)
    assert (row.via, row.kind, row.format, row.user) == ("command", "report", "csv", coordinator)


def test_a_refused_download_leaves_no_row(client_for, liaison_b, quarter, area_a):
    """Out of scope: nothing is exported, so nothing is logged."""
    report = AreaReport.objects.get(period=quarter, area=area_a)
    api = APIClient()
    api.force_login(liaison_b)
    before = last_pk()
    assert api.get(reverse("area-report-template", args=[report.pk])).status_code == 404
    response = api.get(
        reverse("reportingperiod-export", args=[quarter.pk]),
        {"filetype": "xlsx", "area": area_a.pk},
    )
    assert response.status_code == 404
    assert logged_since(before) == []
