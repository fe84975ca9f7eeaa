"""Importing interventions (coordinators): created or updated by code, funding lines
replaced, a dry run that writes nothing, and errors that save nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from interventions import imports
from interventions.models import FundingLine, Intervention
from tests import factories
from tests.imports.helpers import as_upload, saved, workbook_with

HEADER = [c.key for c in imports.INTERVENTION_COLUMNS]
FUNDING = [c.key for c in imports.FUNDING_COLUMNS]


def row(on_track, home, **values):
    base = {
        "code": "IV-NIEUW",
        "title": "Nieuw werk",
        "programme": on_track.programme.code,
        "track": on_track.number,
        "area": home.code if home else None,
        "status": "running",
        "themes": "youth; safety",
        "lead_partner": "Stichting Wijkkracht",
        "start_date": "01-02-2026",
        "end_date": datetime.date(2027, 12, 31),
        "evidence_level": "well_described",
        "description": "Huiswerkbegeleiding.",
    }
    base.update(values)
    return [base[key] for key in HEADER]


def sheet(interventions, funding=None):
    sheets = {"Interventions": [HEADER, *interventions]}
    if funding is not None:
        sheets["Funding lines"] = [FUNDING, *funding]
    return as_upload(workbook_with(sheets))


def test_a_dry_run_shows_the_plan_and_writes_nothing(register, track, area_a, coordinator):
    upload = sheet(
        [
            row(track, area_a),
            row(
                track,
                area_a,
                code="IV-BESTAAND",
                title="Bestaand werk, nieuwe titel",
                status="running",
                themes="youth",
                start_date=datetime.date(2024, 1, 1),
                end_date=None,
                evidence_level="not_assessed",
                description="",
            ),
        ],
        [["IV-NIEUW", "state", None, 2026, "1.000,00", "BZK"]],
    )
    history = Intervention.history.count()
    result = imports.import_interventions(user=coordinator, upload=upload, dry_run=True)
    assert result.problems == []
    assert result.counts() == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "funding_created": 1,
        "funding_changed": 0,
        "funding_deleted": 0,
    }
    assert [item.action for item in result.plan] == ["create", "update"]
    assert len(result.plan[1].changes) == 1  # the title
    assert not Intervention.objects.filter(code="IV-NIEUW").exists()
    assert Intervention.history.count() == history
    assert Intervention.objects.get(code="IV-BESTAAND").title == "Bestaand werk"


def test_apply_creates_and_updates_by_code(register, track, area_a, coordinator):
    upload = sheet(
        [
            row(track, area_a),
            row(
                track,
                area_a,
                code="iv-bestaand ",
                title="Nieuwe titel",
                themes="safety",
                start_date="2024-01-01",
                end_date=None,
                evidence_level=None,
                description=None,
            ),
        ],
        [
            ["IV-NIEUW", "state", None, 2026, 1000, "BZK"],
            ["IV-NIEUW", "municipality", "Stichting Wijkkracht", None, "2.500,50", None],
            ["IV-BESTAAND", "state", None, 2025, 120, None],
        ],
    )
    result = imports.import_interventions(user=coordinator, upload=upload, dry_run=False)
    assert result.problems == []
    new = Intervention.objects.get(code="IV-NIEUW")
    assert (new.area, new.track, new.status, new.start_date, new.end_date) == (
        area_a,
        track,
        "running",
        datetime.date(2026, 2, 1),
        datetime.date(2027, 12, 31),
    )
    assert {t.code for t in new.themes.all()} == {"youth", "safety"}
    assert new.lead_partner.name == "Stichting Wijkkracht"
    assert sorted(new.funding_lines.values_list("source", "amount")) == [
        ("municipality", Decimal("2500.50")),
        ("state", Decimal("1000.00")),
    ]
    existing = Intervention.objects.get(code="IV-BESTAAND")
    assert existing.title == "Nieuwe titel"
    assert {t.code for t in existing.themes.all()} == {"safety"}
    # Its funding lines are now exactly the sheet's: the state line changed, the
    # municipality line (not in the sheet) removed.
    assert list(existing.funding_lines.values_list("source", "year", "amount")) == [
        ("state", 2025, Decimal("120.00"))
    ]


def test_one_history_record_per_changed_intervention_under_the_importer(
    register, track, area_a, coordinator
):
    unchanged = factories.InterventionFactory(code="IV-RUST", area=area_a, track=track)
    unchanged_row = row(
        track,
        area_a,
        code="IV-RUST",
        title=unchanged.title,
        themes=";".join(t.code for t in unchanged.themes.all()),
        lead_partner=None,
        start_date=unchanged.start_date,
        end_date=None,
        evidence_level="not_assessed",
        description="",
    )
    before = {
        code: Intervention.objects.get(code=code).history.count()
        for code in ("IV-BESTAAND", "IV-RUST")
    }
    upload = sheet(
        [
            row(track, area_a),
            row(
                track,
                area_a,
                code="IV-BESTAAND",
                themes="safety",
                title="Bestaand werk",
                start_date="2024-01-01",
                end_date=None,
                evidence_level="not_assessed",
                description="",
            ),
            unchanged_row,
        ]
    )
    result = imports.import_interventions(user=coordinator, upload=upload, dry_run=False)
    assert [item.action for item in result.plan] == ["create", "update", "unchanged"]
    new = Intervention.objects.get(code="IV-NIEUW")
    created = new.history.get()
    assert (created.history_type, created.history_user) == ("+", coordinator)
    assert {t.theme.code for t in created.themes.all()} == {"youth", "safety"}
    updated = Intervention.objects.get(code="IV-BESTAAND")
    assert updated.history.count() == before["IV-BESTAAND"] + 1
    latest = updated.history.first()
    assert latest.history_user == coordinator
    assert {t.theme.code for t in latest.themes.all()} == {"safety"}
    assert Intervention.objects.get(code="IV-RUST").history.count() == before["IV-RUST"]


def test_errors_are_listed_and_nothing_is_saved(register, track, area_a, area_b, coordinator):
    upload = sheet(
        [
            row(track, area_a),
            row(track, area_a, code="IV-2", area="bestaat-niet"),
            row(track, area_a, code="IV-3", themes="youth; onbekend"),
            row(track, area_a, code="IV-4", start_date="31-12-2026", end_date="01-01-2026"),
            row(track, area_a, code="IV-5", start_date="12/31/2026"),
            row(track, area_a, code="IV-6", start_date=None),
            row(track, area_a, code="IV-NIEUW"),
            row(track, area_a, code="IV-7", track=9),
        ],
        [
            ["IV-ONBEKEND", "state", None, 2026, 10, None],
            ["IV-NIEUW", "lottery", None, None, 5, None],
        ],
    )
    result = imports.import_interventions(user=coordinator, upload=upload, dry_run=False)
    found = {(p.sheet, p.row, p.code) for p in result.problems}
    assert found == {
        ("Interventions", 3, "unknown"),
        ("Interventions", 4, "unknown"),
        ("Interventions", 5, "invalid"),  # end before start: the model's constraint
        ("Interventions", 6, "not_a_date"),
        ("Interventions", 7, "invalid"),  # running without a start date: the model's rule
        ("Interventions", 8, "duplicate_row"),
        ("Interventions", 9, "unknown"),
        ("Funding lines", 2, "unknown"),
        ("Funding lines", 3, "invalid_choice"),
    }
    assert not Intervention.objects.exclude(code="IV-BESTAAND").exists()
    assert FundingLine.objects.count() == 2


def test_state_money_from_a_partner_that_is_no_ministry_is_a_row_problem(
    register, track, area_a, coordinator
):
    factories.PartnerFactory(name="Ministerie van VRO", kind="ministry")
    upload = sheet(
        [row(track, area_a)],
        [
            ["IV-NIEUW", "state", "Ministerie van VRO", 2026, 1000, None],
            ["IV-NIEUW", "state", "Stichting Wijkkracht", 2027, 500, None],
            ["IV-BESTAAND", "housing", "Ministerie van VRO", 2025, 50, None],
        ],
    )

    result = imports.import_interventions(user=coordinator, upload=upload, dry_run=False)

    found = {(p.sheet, p.row, p.column, p.code) for p in result.problems}
    assert found == {
        ("Funding lines", 3, "funder", "invalid"),
        ("Funding lines", 4, "source", "invalid"),
    }
    messages = {p.row: p.message for p in result.problems}
    assert messages[3].startswith("Rijksgeld komt van een ministerie")
    assert messages[4].startswith("Geld van een ministerie is rijksgeld")
    assert not Intervention.objects.filter(code="IV-NIEUW").exists()
    assert FundingLine.objects.count() == 2  # the register's own, untouched


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-02-01", datetime.date(2026, 2, 1)),
        ("01-02-2026", datetime.date(2026, 2, 1)),
        ("01/02/2026", datetime.date(2026, 2, 1)),
        ("01.02.2026", datetime.date(2026, 2, 1)),
        (datetime.datetime(2026, 2, 1), datetime.date(2026, 2, 1)),
        (46054, datetime.date(2026, 2, 1)),  # an Excel day number without its format
        ("1-2-26", None),
        ("02/31/2026", None),
        ("morgen", None),
        ("1850-01-01", None),
    ],
)
def test_date_formats(typed, expected, register, track, area_a, coordinator):
    result = imports.import_interventions(
        user=coordinator, upload=sheet([row(track, area_a, start_date=typed)]), dry_run=False
    )
    if expected is None:
        assert {p.code for p in result.problems} <= {"not_a_date", "out_of_range"}
        assert result.problems
    else:
        assert result.problems == []
        assert Intervention.objects.get(code="IV-NIEUW").start_date == expected


def test_liaisons_cannot_use_the_intervention_import(register, track, area_a, liaison_a):
    with pytest.raises(PermissionDenied):
        imports.import_interventions(user=liaison_a, upload=sheet([row(track, area_a)]))


def test_the_sheet_download_imports_back_unchanged(register, track, area_a, coordinator):
    target = io.BytesIO()
    imports.intervention_sheet(user=coordinator, target=target)
    history = Intervention.history.count(), FundingLine.history.count()
    result = imports.import_interventions(
        user=coordinator, upload=as_upload(target.getvalue()), dry_run=False
    )
    assert result.problems == []
    assert {item.action for item in result.plan} == {"unchanged"}
    assert (Intervention.history.count(), FundingLine.history.count()) == history


def test_the_sheet_download_round_trips_an_edit(register, track, area_a, coordinator):
    target = io.BytesIO()
    imports.intervention_sheet(user=coordinator, target=target)
    book = load_workbook(io.BytesIO(target.getvalue()))
    book.worksheets[0]["B2"] = "Bestaand werk, bijgewerkt"
    book.worksheets[1]["E2"] = 175
    result = imports.import_interventions(
        user=coordinator, upload=as_upload(saved(book)), dry_run=False
    )
    assert result.problems == []
    existing = Intervention.objects.get(code="IV-BESTAAND")
    assert existing.title == "Bestaand werk, bijgewerkt"
    # The second sheet's first line (ordered by source: the municipality's) changed.
    assert sorted(existing.funding_lines.values_list("source", "amount")) == [
        ("municipality", Decimal("175.00")),
        ("state", Decimal("100.00")),
    ]


# --- the doors


@pytest.mark.parametrize("persona", ["liaison_a", "viewer"])
def test_only_coordinators_reach_the_import_in_the_admin(
    persona, personas, client_for, register, track, area_a
):
    client = client_for(personas[persona])
    url = reverse("admin:interventions_intervention_import")
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": sheet([row(track, area_a)]), "preview": ""}).status_code == 403
    assert client.get(reverse("admin:interventions_intervention_import_sheet")).status_code == 403
    assert not Intervention.objects.filter(code="IV-NIEUW").exists()


def test_anonymous_cannot_reach_the_import(client, register):
    response = client.get(reverse("admin:interventions_intervention_import"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert APIClient().post("/api/v1/interventions/import/").status_code in (401, 403)


def test_preview_then_confirm_in_the_admin(client_for, coordinator, register, track, area_a):
    client = client_for(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("admin:interventions_intervention_import")
    assert client.get(url).status_code == 200
    preview = client.post(url, {"file": sheet([row(track, area_a)]), "preview": "on"})
    assert preview.status_code == 200
    assert preview.context["result"].ok
    assert 'data-action="create"' in preview.content.decode()
    assert not Intervention.objects.filter(code="IV-NIEUW").exists()
    confirm = client.post(url, {"carried": preview.context["confirm"]})
    assert confirm.status_code == 302
    assert Intervention.objects.filter(code="IV-NIEUW").exists()


def test_a_forged_confirmation_is_refused(client_for, coordinator, register):
    client = client_for(coordinator)
    response = client.post(
        reverse("admin:interventions_intervention_import"), {"carried": "nep:token"}
    )
    assert response.status_code == 200
    assert response.context["refusal"]
    assert Intervention.objects.count() == 1


def test_a_confirmation_after_the_data_changed_shows_a_new_preview(
    client_for, coordinator, register, track, area_a
):
    client = client_for(coordinator)
    url = reverse("admin:interventions_intervention_import")
    preview = client.post(
        url, {"file": sheet([row(track, area_a, code="IV-BESTAAND")]), "preview": "on"}
    )
    meanwhile = Intervention.objects.get(code="IV-BESTAAND")
    meanwhile.title = "Intussen hernoemd"
    meanwhile.save()
    confirm = client.post(url, {"carried": preview.context["confirm"]})
    assert confirm.status_code == 200
    assert [p.code for p in confirm.context["problems"]] == ["plan_changed"]


@pytest.mark.parametrize(("persona", "status"), [("liaison_a", 403), ("viewer", 403)])
def test_only_coordinators_import_in_the_api(persona, status, personas, register, track, area_a):
    client = APIClient()
    client.force_login(personas[persona])
    response = client.post(
        "/api/v1/interventions/import/?dry_run=false",
        {"file": sheet([row(track, area_a)])},
        format="multipart",
    )
    assert response.status_code == status
    assert set(response.json()) == {"status", "code", "detail", "errors"}
    assert not Intervention.objects.filter(code="IV-NIEUW").exists()


def test_the_api_dry_run_and_apply(coordinator, register, track, area_a):
    client = APIClient()
    client.force_login(coordinator)
    url = "/api/v1/interventions/import/"
    dry = client.post(url, {"file": sheet([row(track, area_a)])}, format="multipart")
    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True
    assert dry.json()["counts"]["created"] == 1
    assert not Intervention.objects.filter(code="IV-NIEUW").exists()
    applied = client.post(
        f"{url}?dry_run=false", {"file": sheet([row(track, area_a)])}, format="multipart"
    )
    assert applied.status_code == 200
    assert Intervention.objects.filter(code="IV-NIEUW").exists()


def test_the_api_lists_every_problem_in_the_error_shape(coordinator, register, track, area_a):
    client = APIClient()
    client.force_login(coordinator)
    response = client.post(
        "/api/v1/interventions/import/",
        {"file": sheet([row(track, area_a, area="nergens", start_date="=TODAY()")])},
        format="multipart",
    )
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"status", "code", "detail", "errors"}
    assert {(p["row"], p["code"]) for p in body["errors"]["file"]} == {
        (2, "unknown"),
        (2, "formula"),
    }


def test_the_api_refuses_a_file_that_is_no_workbook(coordinator):
    client = APIClient()
    client.force_login(coordinator)
    response = client.post(
        "/api/v1/interventions/import/",
        {"file": as_upload(b"a;b\n1;2\n", name="x.csv", content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_type"
    assert response.json()["errors"]["file"][0]["code"] == "wrong_type"


@pytest.mark.parametrize("count", [1, 10, 50])
def test_the_import_runs_the_same_number_of_queries_however_many_rows(
    count, register, track, area_a, coordinator, django_assert_max_num_queries
):
    existing = [
        factories.InterventionFactory(code=f"IV-OUD{index}", area=area_a, track=track)
        for index in range(count)
    ]
    # The state's money from a ministry: its rule reads each line's funder.
    ministry = factories.PartnerFactory(name="Ministerie van VRO", kind="ministry")
    for intervention in existing:
        factories.FundingLineFactory(
            intervention=intervention, source="state", funder=ministry, year=2025
        )
    rows = [row(track, area_a, code=f"IV-NIEUW{index}") for index in range(count)]
    rows += [
        row(track, area_a, code=intervention.code, title="Nieuwe titel", themes="safety")
        for intervention in existing
    ]
    funding = [
        [f"IV-NIEUW{index}", "state", ministry.name, 2026, 1000, ""] for index in range(count)
    ]
    funding += [[i.code, "state", ministry.name, 2025, 2000, ""] for i in existing]

    with django_assert_max_num_queries(16):
        preview = imports.import_interventions(
            user=coordinator, upload=sheet(rows, funding), dry_run=True
        )
    assert preview.ok, preview.problems[:3]
    with django_assert_max_num_queries(44):  # 42 on SQLite, 44 on PostgreSQL
        result = imports.import_interventions(
            user=coordinator, upload=sheet(rows, funding), dry_run=False
        )

    assert result.counts()["created"] == count and result.counts()["updated"] == count
    assert Intervention.history.filter(history_user=coordinator).count() == 2 * count
    assert FundingLine.history.filter(history_user=coordinator).count() == 2 * count
    changed = Intervention.objects.get(code="IV-OUD0")
    assert (changed.title, changed.version) == ("Nieuwe titel", 2)
    assert {t.theme.code for t in changed.history.first().themes.all()} == {"safety"}


def test_a_running_intervention_imported_into_an_open_quarter_gets_its_update(
    register, track, area_a, coordinator
):
    from reporting import services
    from reporting.models import ProgressUpdate

    quarter = services.quarter_open(
        programme=track.programme,
        year=2027,
        quarter=2,
        deadline=datetime.date(2099, 7, 15),
        user=coordinator,
    )
    upload = sheet([row(track, area_a, code="IV-LOOPT", status="running")])
    assert imports.import_interventions(user=coordinator, upload=upload, dry_run=False).ok

    update = ProgressUpdate.objects.get(intervention__code="IV-LOOPT", period=quarter)
    assert update.report == quarter.reports.get(area=area_a)
