"""Programme-wide exports are background jobs, from the API, the admin and the pages: a
job record with status and progress, its file private and fetched only by the person
who asked while they may still see what it holds, an e-mail when it is ready, a failure
that says why and can be tried again, and files removed once they expire."""

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import roles
from accounts.models import AreaMembership
from core.jobs import remove_expired_files
from reporting.exports import jobs as export_jobs
from reporting.models import ExportJob, ExportLog
from tests.clients import api_client
from tests.conftest import make_user
from tests.reporting import test_exports

JOBS = "/api/v1/export-jobs/"


@pytest.fixture
def quarter(coordinator, track, area_a, area_b):
    """The exports' quarter: work with money, indicators and a formula-like title."""
    return test_exports.open_quarter_with_work(coordinator, track, area_a, area_b)


def api_as(user):
    return api_client(user, raise_request_exception=False)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run what a request queued (in-process: the tests have no broker)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def cells(data):
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {str(cell) for sheet in book for row in sheet.values for cell in row}


def content(response):
    return b"".join(response.streaming_content)


def test_a_national_export_is_a_job_that_the_requester_downloads(
    coordinator,
    quarter,
    run_jobs,
):
    client = api_as(coordinator)
    response = run_jobs(lambda: client.post(JOBS, {"quarter": quarter.pk, "format": "xlsx"}))

    assert response.status_code == 202, response.content
    job = ExportJob.objects.get()
    assert response["Location"].endswith(f"{JOBS}{job.pk}/")
    detail = client.get(f"{JOBS}{job.pk}/").json()
    assert (detail["status"], detail["progress"], detail["area"]) == ("done", 100, None)
    assert detail["download"].endswith(f"{JOBS}{job.pk}/download/")
    download = client.get(detail["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert {"Werk in Gebied A", "Werk in Gebied B"} <= cells(content(download))
    log = ExportLog.objects.get()
    assert (log.user, log.period, log.area, log.format, log.via) == (
        coordinator,
        quarter,
        None,
        "xlsx",
        "api",
    )


def test_the_requester_gets_an_e_mail_with_the_job_s_page(coordinator, quarter, run_jobs):
    run_jobs(lambda: api_as(coordinator).post(JOBS, {"quarter": quarter.pk, "format": "csv"}))
    job = ExportJob.objects.get()
    (message,) = mail.outbox
    assert message.to == [coordinator.email]
    assert message.body.count(reverse("pages:export-job", args=[job.pk])) == 1


@pytest.mark.parametrize("persona", ["viewer", "liaison_a", "other_coordinator"])
def test_nobody_else_sees_or_downloads_a_job(persona, personas, coordinator, quarter, run_jobs):
    run_jobs(lambda: api_as(coordinator).post(JOBS, {"quarter": quarter.pk, "format": "csv"}))
    job = ExportJob.objects.get()
    user = personas.get(persona) or make_user("coordinator-2@example.org", roles.COORDINATOR)
    client = api_as(user)
    for path in (f"{JOBS}{job.pk}/", f"{JOBS}{job.pk}/download/"):
        assert client.get(path).status_code == 404
        assert client.get(path.replace(str(job.pk), "999999")).status_code == 404
    assert client.post(f"{JOBS}{job.pk}/retry/").status_code == 404
    page = user.is_staff and api_as(user).get(reverse("pages:export-job-download", args=[job.pk]))
    assert not page or page.status_code == 404


def test_a_liaison_whose_membership_was_removed_gets_404(liaison_a, area_a, quarter, run_jobs):
    client = api_as(liaison_a)
    response = run_jobs(
        lambda: client.post(JOBS, {"quarter": quarter.pk, "format": "xlsx", "area": area_a.pk})
    )
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert client.get(f"{JOBS}{job.pk}/download/").status_code == 200

    AreaMembership.objects.filter(user=liaison_a, area=area_a).delete()
    client = api_as(liaison_a)
    assert client.get(f"{JOBS}{job.pk}/").status_code == 404
    assert client.get(f"{JOBS}{job.pk}/download/").status_code == 404
    assert client.get(reverse("pages:export-job", args=[job.pk])).status_code == 404


def test_a_liaison_cannot_ask_for_another_area(liaison_a, area_b, quarter):
    response = api_as(liaison_a).post(
        JOBS, {"quarter": quarter.pk, "format": "xlsx", "area": area_b.pk}
    )
    assert response.status_code == 400
    assert "area" in response.json()["errors"]
    assert not ExportJob.objects.exists()


def test_a_liaison_s_programme_wide_export_holds_only_their_areas(
    liaison_a,
    area_a,
    quarter,
    run_jobs,
):
    client = api_as(liaison_a)
    run_jobs(lambda: client.post(JOBS, {"quarter": quarter.pk, "format": "xlsx"}))
    job = ExportJob.objects.get()
    assert job.areas == [area_a.pk]
    found = cells(content(client.get(f"{JOBS}{job.pk}/download/")))
    assert "Werk in Gebied A" in found and "Werk in Gebied B" not in found


def test_a_failed_job_says_why_and_can_be_tried_again(
    coordinator,
    quarter,
    run_jobs,
    monkeypatch,
):
    original = export_jobs.export_quarter

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_jobs, "export_quarter", broken)
    client = api_as(coordinator)
    run_jobs(lambda: client.post(JOBS, {"quarter": quarter.pk, "format": "xlsx"}))
    job = ExportJob.objects.get()
    detail = client.get(f"{JOBS}{job.pk}/").json()
    assert detail["status"] == "failed" and detail["error"] and detail["download"] is None
    assert "disk full" not in detail["error"]  # the reason for people, not the traceback
    assert client.get(f"{JOBS}{job.pk}/download/").status_code == 409

    monkeypatch.setattr(export_jobs, "export_quarter", original)
    retried = run_jobs(lambda: client.post(f"{JOBS}{job.pk}/retry/"))
    assert retried.status_code == 202
    assert client.get(f"{JOBS}{job.pk}/").json()["status"] == "done"
    assert client.post(f"{JOBS}{job.pk}/retry/").status_code == 409


def test_a_running_job_shows_its_progress(coordinator, quarter):
    job = ExportJob.objects.create(
        user=coordinator, period=quarter, format="xlsx", via="api", status="running"
    )
    job.set_progress(35)
    assert api_as(coordinator).get(f"{JOBS}{job.pk}/").json()["progress"] == 35
    page = api_as(coordinator).get(reverse("pages:export-job", args=[job.pk]))
    assert b'<progress max="100" value="35">' in page.content
    assert b'http-equiv="refresh"' in page.content


def test_expired_files_are_removed_by_the_scheduled_task(coordinator, quarter, run_jobs):
    client = api_as(coordinator)
    run_jobs(lambda: client.post(JOBS, {"quarter": quarter.pk, "format": "csv"}))
    job = ExportJob.objects.get()
    stored = job.file.name
    assert job.file.storage.exists(stored)

    assert remove_expired_files(now=job.expires_at - datetime.timedelta(minutes=1)) == 0
    assert remove_expired_files(now=job.expires_at + datetime.timedelta(minutes=1)) == 1
    assert not job.file.storage.exists(stored)
    assert client.get(f"{JOBS}{job.pk}/download/").status_code == 410
    page = client.get(reverse("pages:export-job", args=[job.pk]))
    assert b"expired" in page.content or b"verlopen" in page.content


def test_the_admin_makes_a_programme_wide_export_a_job(
    coordinator,
    quarter,
    client_for,
    run_jobs,
):
    client = client_for(coordinator)
    url = reverse("admin:programme_reportingperiod_export", args=[quarter.pk, "pdf"])
    start = client.get(url)
    assert start.status_code == 200 and not ExportJob.objects.exists()  # a GET writes nothing

    response = run_jobs(lambda: client.post(url))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("pages:export-job", args=[job.pk])
    page = client.get(response["Location"])
    assert reverse("pages:export-job-download", args=[job.pk]).encode() in page.content
    download = client.get(reverse("pages:export-job-download", args=[job.pk]))
    assert content(download).startswith(b"%PDF")
    assert job.via == "admin" and job.expires_at > timezone.now()


def test_a_small_area_s_export_streams_in_the_request(liaison_a, area_a, quarter, client_for):
    url = reverse("admin:programme_reportingperiod_export", args=[quarter.pk, "xlsx"])
    response = client_for(liaison_a).get(url, {"area": area_a.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not ExportJob.objects.exists()


def test_an_area_over_the_threshold_is_a_job(liaison_a, area_a, quarter, client_for, settings):
    settings.EXPORT_IN_REQUEST_MAX_INTERVENTIONS = 1
    url = reverse("admin:programme_reportingperiod_export", args=[quarter.pk, "xlsx"])
    response = client_for(liaison_a).get(url, {"area": area_a.pk})
    assert response.status_code == 200 and b"<form" in response.content
    assert "attachment" not in response.get("Content-Disposition", "")
