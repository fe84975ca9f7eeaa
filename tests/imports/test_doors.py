"""Every door of the Excel round trip, and who it is closed to: the admin pages and the
API endpoints, for each persona. Out of scope answers as missing."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from reporting import imports
from reporting.models import ProgressUpdate
from tests import factories
from tests.clients import api_client
from tests.imports.helpers import as_upload, rows_of, saved, set_cell, sheet_of, template_book

XLSX = imports.TEMPLATE_CONTENT_TYPE


def api_as(user):
    client = api_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def filled_template(report, user, light="green"):
    book = template_book(report, user)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    for row in rows_of(sheet, imports.UPDATE_COLUMNS):
        set_cell(sheet, imports.UPDATE_COLUMNS, row["_row"], "light", light)
    return saved(book)


# --- the quarter template


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 200), ("liaison_a", 200), ("viewer", 200), ("liaison_b", 404)],
)
def test_template_download_in_the_api(persona, status, personas, report_a):
    response = api_as(personas[persona]).get(f"/api/v1/area-reports/{report_a.pk}/template/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == XLSX
        assert b"".join(response.streaming_content).startswith(b"PK")


def test_anonymous_gets_no_template(report_a):
    response = api_as(None).get(f"/api/v1/area-reports/{report_a.pk}/template/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"status", "code", "detail", "errors"}


def test_liaison_b_cannot_download_a_template_of_area_a_in_the_admin(
    client_for, liaison_b, report_a
):
    response = client_for(liaison_b).get(
        reverse("admin:reporting_areareport_template", args=[report_a.pk])
    )
    assert response.status_code == 302  # the admin's answer for a row that does not exist
    assert response["Content-Type"] != XLSX


def test_the_admin_template_is_the_reports(client_for, liaison_a, report_a):
    response = client_for(liaison_a).get(
        reverse("admin:reporting_areareport_template", args=[report_a.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX


@pytest.mark.parametrize("count", [1, 10, 50])
def test_template_queries_do_not_grow_with_the_interventions(
    count, client_for, liaison_a, report_a, area_a, track, django_assert_max_num_queries
):
    for _ in range(count):
        intervention = factories.InterventionFactory(area=area_a, track=track)
        factories.IndicatorFactory(intervention=intervention)
    client = client_for(liaison_a)
    client.get(reverse("admin:reporting_areareport_template", args=[report_a.pk]))  # prepares
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:reporting_areareport_template", args=[report_a.pk]))
    assert response.status_code == 200


# --- the quarter import


@pytest.mark.parametrize(
    ("persona", "status"),
    [("liaison_b", 404), ("viewer", 403), ("anonymous", 401)],
)
def test_who_cannot_import_into_area_a_in_the_api(persona, status, personas, report_a, liaison_a):
    data = filled_template(report_a, liaison_a)
    response = api_as(personas[persona]).post(
        f"/api/v1/area-reports/{report_a.pk}/import/",
        {"file": as_upload(data)},
        format="multipart",
    )
    assert response.status_code in ((401, 403) if status == 401 else (status,))
    assert set(response.json()) == {"status", "code", "detail", "errors"}
    assert not ProgressUpdate.objects.filter(report=report_a, light="green").exists()


def test_a_read_only_token_cannot_import(coordinator, report_a):
    _token, key = ApiToken.objects.create(user=coordinator, name="Power BI", can_write=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        f"/api/v1/area-reports/{report_a.pk}/import/",
        {"file": as_upload(filled_template(report_a, coordinator))},
        format="multipart",
    )
    assert response.status_code == 403


def test_the_liaison_imports_in_the_api(liaison_a, report_a):
    response = api_as(liaison_a).post(
        f"/api/v1/area-reports/{report_a.pk}/import/",
        {"file": as_upload(filled_template(report_a, liaison_a))},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["updates_changed"] == 2
    assert set(ProgressUpdate.objects.filter(report=report_a).values_list("light", flat=True)) == {
        "green"
    }


def test_liaison_b_cannot_import_into_area_a_in_the_admin(
    client_for, liaison_a, liaison_b, report_a
):
    data = filled_template(report_a, liaison_a)
    client = client_for(liaison_b)
    url = reverse("admin:reporting_areareport_import", args=[report_a.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, {"file": as_upload(data)})
    assert response.status_code == 302
    assert not ProgressUpdate.objects.filter(report=report_a, light="green").exists()


def test_a_viewer_cannot_import_in_the_admin(client_for, viewer, liaison_a, report_a):
    url = reverse("admin:reporting_areareport_import", args=[report_a.pk])
    response = client_for(viewer).post(
        url, {"file": as_upload(filled_template(report_a, liaison_a))}
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.filter(report=report_a, light="green").exists()


def test_anonymous_cannot_import_in_the_admin(client, report_a, liaison_a):
    url = reverse("admin:reporting_areareport_import", args=[report_a.pk])
    response = client.post(url, {"file": as_upload(filled_template(report_a, liaison_a))})
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_liaison_imports_in_the_admin(client_for, liaison_a, report_a):
    client = client_for(liaison_a)
    url = reverse("admin:reporting_areareport_import", args=[report_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": as_upload(filled_template(report_a, liaison_a))})
    assert response.status_code == 302
    assert set(ProgressUpdate.objects.filter(report=report_a).values_list("light", flat=True)) == {
        "green"
    }


def test_the_admin_lists_every_problem(client_for, liaison_a, report_a):
    book = template_book(report_a, liaison_a)
    sheet = sheet_of(book, imports.SHEET_UPDATES)
    for row in rows_of(sheet, imports.UPDATE_COLUMNS):
        set_cell(sheet, imports.UPDATE_COLUMNS, row["_row"], "light", "paars")
        set_cell(sheet, imports.UPDATE_COLUMNS, row["_row"], "money_spent_to_date", "=1+1")
    client = client_for(liaison_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("admin:reporting_areareport_import", args=[report_a.pk]),
        {"file": as_upload(saved(book))},
    )
    assert response.status_code == 200
    codes = [problem.code for problem in response.context["problems"]]
    assert sorted(codes) == ["formula", "formula", "invalid_choice", "invalid_choice"]
    assert response.content.decode().count('data-code="formula"') == 2


def test_the_admin_shows_why_a_submitted_report_cannot_be_imported(client_for, liaison_a, report_a):
    from reporting import services

    data = filled_template(report_a, liaison_a)
    report_a.overall_light = "green"
    report_a.save()
    for update in ProgressUpdate.objects.filter(report=report_a):
        update.light = "amber"
        update.save()
    services.report_step(report=report_a, user=liaison_a, step="submit")
    response = client_for(liaison_a).post(
        reverse("admin:reporting_areareport_import", args=[report_a.pk]), {"file": as_upload(data)}
    )
    assert response.status_code == 200
    assert response.context["locked"]
    assert set(ProgressUpdate.objects.filter(report=report_a).values_list("light", flat=True)) == {
        "amber"
    }


def test_an_oversized_upload_is_refused_before_it_is_read(liaison_a, report_a, client_for):
    huge = str(50 * 2**20)
    response = api_as(liaison_a).post(
        f"/api/v1/area-reports/{report_a.pk}/import/",
        {"file": as_upload(b"PK\x03\x04")},
        format="multipart",
        CONTENT_LENGTH=huge,
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413
    client = client_for(liaison_a)
    response = client.post(
        reverse("admin:reporting_areareport_import", args=[report_a.pk]),
        {"file": as_upload(b"PK\x03\x04")},
        CONTENT_LENGTH=huge,
    )
    assert response.status_code == 200
    assert response.context["refusal"]
