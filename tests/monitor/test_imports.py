import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from monitor import imports
from monitor.models import ContextImport, ContextValue
from tests import factories
from tests.monitor.conftest import cbs_csv, leefbaarometer, odata, tidy

pytestmark = pytest.mark.usefixtures("measures")


def run(user, upload, fmt, **options):
    return imports.import_context(
        user=user, upload=upload, file_name="cijfers", fmt=fmt, dry_run=False, **options
    )


def value(code, year, measure):
    return ContextValue.objects.get(geo_code=code, year=year, measure__code=measure).value


def test_a_tidy_csv_loads_areas_municipalities_and_the_country(coordinator, area_a):
    result = run(
        coordinator,
        tidy(
            [
                (area_a.code, 2018, "nplv-health", "61", "GGD Gezondheidsmonitor 2018"),
                ("GM0599", 2018, "nplv-health", "70", "GGD Gezondheidsmonitor 2018"),
                ("NL", 2018, "nplv-health", "76.5", "GGD Gezondheidsmonitor 2018"),
            ]
        ),
        "tidy",
    )
    assert result.ok, result.problems
    assert result.counts()["created"] == 3
    area_value = ContextValue.objects.get(area=area_a)
    assert (area_value.geo_level, area_value.value) == ("area", Decimal("61"))
    assert value("NL", 2018, "nplv-health") == Decimal("76.5")
    assert result.record.source == "GGD Gezondheidsmonitor 2018"
    assert area_value.source_import == result.record


def test_a_tidy_csv_needs_its_source(coordinator, area_a):
    result = run(
        coordinator,
        tidy([(area_a.code, 2018, "nplv-health", "61")], header="geo_code,year,measure,value"),
        "tidy",
    )
    assert [p.code for p in result.problems] == ["no_source"]
    assert not ContextValue.objects.exists()


def test_a_cbs_odata_table_loads_by_the_variables_without_their_suffix(coordinator):
    upload = odata(
        [
            ("NL00", "Land", 17942942, 28),
            ("GM0599", "Gemeente", 670610, 43),
            ("WK059901", "Wijk", 12000, None),
            ("BU05990101", "Buurt", 3100, 51),
        ]
    )
    result = run(coordinator, upload, "cbs-odata")  # the year comes from the table id
    assert result.ok, result.problems
    assert value("NL", 2024, "inhabitants") == 17942942
    assert value("GM0599", 2024, "social-rent") == 43
    stored = ContextValue.objects.get(geo_code="BU05990101", measure__code="inhabitants")
    assert (stored.geo_level, stored.geo_year) == ("buurt", 2024)
    # A null of the TypedDataSet is missing, never zero.
    assert not ContextValue.objects.filter(geo_code="WK059901", measure__code="social-rent")
    assert result.counts()["missing"] == 1


def test_a_table_that_does_not_name_its_year_needs_it(coordinator):
    result = run(coordinator, odata([("GM0599", "Gemeente", 1, 2)], table="99999XXX"), "cbs-odata")
    assert [p.code for p in result.problems] == ["no_year"]
    assert run(
        coordinator, odata([("GM0599", "Gemeente", 1, 2)], table="99999XXX"), "cbs-odata", year=2022
    ).ok


def test_the_cbs_csv_reads_dots_and_empty_cells_as_missing(coordinator):
    upload = cbs_csv([("GM0599", "Gemeente", 670610, "13,5"), ("BU05990101", "Buurt", ".", "")])
    result = run(coordinator, upload, "cbs-csv", year=2019)
    assert result.ok, result.problems
    assert value("GM0599", 2019, "nplv-low-income") == Decimal("13.5")
    assert not ContextValue.objects.filter(geo_code="BU05990101").exists()
    assert result.counts()["missing"] == 2


def test_the_leefbaarometer_file_loads_every_year_on_the_editions_map(coordinator):
    upload = leefbaarometer(
        [
            (
                "BU05990101",
                "Afrikaanderwijk",
                2018,
                "3.912345",
                "-0.2",
                "0.01",
                "-0.1",
                "-0.05",
                "0.02",
                "-0.08",
            ),
            (
                "BU05990101",
                "Afrikaanderwijk",
                2024,
                "3.98",
                "-0.1",
                "0.02",
                "-0.05",
                "-0.04",
                "0.03",
                "-0.06",
            ),
        ]
    )
    result = run(coordinator, upload, "leefbaarometer")
    assert result.ok, result.problems
    assert value("BU05990101", 2018, "lbm") == Decimal("3.9123")  # four decimals kept
    assert value("BU05990101", 2024, "onv") == Decimal("-0.05")
    assert {v.geo_year for v in ContextValue.objects.all()} == {2024}
    assert result.counts()["created"] == 12  # six scores, two years; afw is not a measure


def test_one_unknown_code_names_its_row_exits_non_zero_and_writes_nothing(
    coordinator, area_a, tmp_path
):
    path = tmp_path / "cijfers.csv"
    path.write_bytes(
        tidy(
            [
                (area_a.code, 2018, "nplv-health", "61", "GGD"),
                ("GEBIED-DAT-NIET-BESTAAT", 2018, "nplv-health", "60", "GGD"),
            ]
        ).read()
    )
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 problems"):
        call_command(
            "import_context",
            str(path),
            "--format",
            "tidy",
            "--user",
            coordinator.email,
            stderr=errors,
        )
    assert "row 3, geo_code" in errors.getvalue()
    assert not ContextValue.objects.exists()
    assert not ContextImport.objects.exists()


def test_every_problem_is_listed_with_its_row(coordinator, area_a):
    result = run(
        coordinator,
        tidy(
            [
                (area_a.code, 2018, "no-such-measure", "1", "x"),
                (area_a.code, 2018, "nplv-health", "veel", "x"),
                ("NL", 2018, "nplv-health", "70", "x"),
                ("NL", 2018, "nplv-health", "71", "x"),
                ("NL", 1850, "nplv-health", "71", "x"),
                ("NL", 2019, "nplv-health", "71,5", "x"),
            ]
        ),
        "tidy",
    )
    found = {(p.row, p.code) for p in result.problems}
    assert found == {
        (2, "unknown_measure"),
        (3, "not_a_number"),
        (5, "duplicate"),
        (6, "invalid_year"),
        (7, "too_many_cells"),
    }
    assert not ContextValue.objects.exists()


def test_a_code_of_another_classification_year_is_refused(coordinator, area_a):
    factories.NeighbourhoodFactory(area=area_a, kind="buurt", cbs_code="BU05990101", cbs_year=2022)
    upload = odata([("BU05990101", "Buurt", 3100, 51)])  # the 2024 table
    result = run(coordinator, upload, "cbs-odata")
    assert [(p.row, p.code) for p in result.problems] == [(1, "other_classification")] * 2
    assert not ContextValue.objects.exists()


def test_a_code_of_the_wrong_kind_is_refused(coordinator):
    result = run(coordinator, odata([("GM0599", "Buurt", 1, 2)]), "cbs-odata")
    assert [p.code for p in result.problems] == ["kind_mismatch"]


def test_importing_the_same_file_again_changes_nothing(coordinator):
    rows = [("GM0599", "Gemeente", 670610, 43), ("NL00", "Land", 17942942, 28)]
    first = run(coordinator, odata(rows), "cbs-odata")
    histories = ContextValue.history.count()
    second = run(coordinator, odata(rows), "cbs-odata")
    assert first.counts()["created"] == 4
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 4, "missing": 0}
    assert ContextValue.history.count() == histories


def test_each_changed_value_gets_one_history_record_under_the_importer(coordinator):
    run(coordinator, odata([("GM0599", "Gemeente", 670610, 43)]), "cbs-odata")
    result = run(coordinator, odata([("GM0599", "Gemeente", 671000, 43)]), "cbs-odata")
    assert result.counts()["updated"] == 1
    changed = ContextValue.objects.get(measure__code="inhabitants")
    assert [(h.history_type, h.history_user) for h in changed.history.all()] == [
        ("~", coordinator),
        ("+", coordinator),
    ]
    assert changed.history.first().value == 671000


def test_a_dry_run_writes_nothing(coordinator):
    result = imports.import_context(
        user=coordinator,
        upload=odata([("GM0599", "Gemeente", 1, 2)]),
        file_name="x",
        fmt="cbs-odata",
    )
    assert result.ok and result.counts()["created"] == 2
    assert not ContextValue.objects.exists()


@pytest.mark.parametrize("persona", ["liaison_a", "viewer"])
def test_only_coordinators_import(request, persona):
    with pytest.raises(PermissionDenied):
        run(request.getfixturevalue(persona), odata([("GM0599", "Gemeente", 1, 2)]), "cbs-odata")


def test_an_area_is_worked_out_from_its_neighbourhoods(coordinator, area_a):
    factories.NeighbourhoodFactory(area=area_a, kind="buurt", cbs_code="BU05990101", cbs_year=2024)
    factories.NeighbourhoodFactory(area=area_a, kind="buurt", cbs_code="BU05990102", cbs_year=2024)
    rows = [("BU05990101", "Buurt", 1000, 60), ("BU05990102", "Buurt", 3000, 20)]
    result = run(coordinator, odata(rows), "cbs-odata")
    assert result.aggregated == 2
    inhabitants = ContextValue.objects.get(area=area_a, measure__code="inhabitants")
    assert (inhabitants.value, inhabitants.method) == (4000, "aggregated")
    # A share is the mean of the neighbourhoods weighted by their inhabitants.
    assert ContextValue.objects.get(area=area_a, measure__code="social-rent").value == 30


def test_an_imported_area_value_is_never_overwritten_by_a_worked_out_one(coordinator, area_a):
    factories.NeighbourhoodFactory(area=area_a, kind="buurt", cbs_code="BU05990101", cbs_year=2024)
    run(coordinator, tidy([(area_a.code, 2024, "inhabitants", "999", "gemeente")]), "tidy")
    run(coordinator, odata([("BU05990101", "Buurt", 1000, 60)]), "cbs-odata")
    stored = ContextValue.objects.get(area=area_a, measure__code="inhabitants")
    assert (stored.value, stored.method) == (999, "imported")


# --- hostile files


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def refusal(coordinator, upload, fmt="tidy", **limits):
    with pytest.raises(imports.ImportRefused) as caught:
        imports.import_context(
            user=coordinator,
            upload=upload,
            file_name="x",
            fmt=fmt,
            limits=imports.Limits(**limits) if limits else imports.LIMITS,
        )
    return caught.value.code


def test_a_zip_with_the_one_table_is_read(coordinator):
    upload = zipped({"85984NED.json": odata([("GM0599", "Gemeente", 1, 2)]).read()})
    assert run(coordinator, upload, "cbs-odata").ok


def test_hostile_files_are_refused_before_anything_is_parsed(coordinator):
    assert refusal(coordinator, io.BytesIO(b"x" * 2000), file_bytes=1000) == "file_too_large"
    assert refusal(coordinator, zipped({"bom.csv": b"0" * 5_000_000})) == "zip_bomb"
    assert refusal(coordinator, zipped({"a.csv": b"1", "b.csv": b"2"})) == "zip_members"
    assert refusal(coordinator, io.BytesIO(b"PK\x03\x04broken")) == "broken_file"
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><feed>&a;</feed>'
    assert refusal(coordinator, io.BytesIO(xml), "cbs-odata") == "xml_refused"
    assert refusal(coordinator, io.BytesIO(b"\x00\x01\x02binary"), "tidy") == "wrong_type"
    deep = b"[" * 100_000 + b"]" * 100_000
    assert refusal(coordinator, io.BytesIO(deep), "cbs-odata") in ("unsafe_json", "wrong_shape")
    assert refusal(coordinator, io.BytesIO(b'{"value": 3}'), "cbs-odata") == "wrong_shape"
    many = tidy([("NL", 2018, "nplv-health", "1", "x")] * 20)
    assert refusal(coordinator, many, rows=10) == "too_many_rows"


def test_numbers_in_json_that_are_not_numbers_are_problems(coordinator):
    upload = io.BytesIO(
        b'{"value": [{"WijkenEnBuurten": "GM0599", "SoortRegio_2": "Gemeente", '
        b'"AantalInwoners_5": "veel"}, {"WijkenEnBuurten": "NL00", "AantalInwoners_5": NaN}]}'
    )
    result = imports.import_context(
        user=coordinator, upload=upload, file_name="x", fmt="cbs-odata", year=2024
    )
    assert [(p.row, p.code) for p in result.problems] == [(1, "not_a_number"), (2, "not_a_number")]
