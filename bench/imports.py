"""Time and peak memory of the Excel round trip at 2,000 rows, and of the hostile files.

    uv run python bench/imports.py [--rows 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench uv run python bench/imports.py

Builds its own data in a throwaway test database (test_<name>, dropped afterwards): one
area with ``--rows`` running interventions, each with an indicator, and an open
quarter. Then, as the area's liaison: the template, every row filled in, the import
(every update and indicator value changed); and as a coordinator: a sheet of ``--rows``
new interventions with a funding line each, as a dry run and applied. Peak memory is
the Python heap's peak (tracemalloc) in a second, traced run of the same step.
"""

import argparse
import contextlib
import datetime
import io
import os
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def timed(step, traced=True):
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    peak = None
    if traced:
        tracemalloc.start()
        step()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, seconds, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    rows = parser.parse_args().rows

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with transaction.atomic():
            report(rows, name)
            transaction.set_rollback(True)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def report(rows, database):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook, load_workbook

    from accounts import roles
    from accounts.models import AreaMembership, User
    from areas.models import Area, Municipality
    from core.spreadsheets import reading as xlsx
    from interventions import imports as intervention_imports
    from interventions.models import Indicator, Intervention
    from programme.models import Programme, Theme, Track
    from reporting import imports, services
    from reporting.models import ProgressUpdate

    programme = Programme.objects.create(code="bench-import", name="Bench", start_year=2024)
    track = Track.objects.create(programme=programme, number=1, name="Spoor 1")
    municipality = Municipality.objects.create(cbs_code="GM9999", name="Benchstad")
    area = Area.objects.create(code="bench", name="Benchgebied", municipality=municipality)
    area.tracks.add(track)
    theme = Theme.objects.create(code="bench", name_nl="Bench", name_en="Bench")
    coordinator = User.objects.create(email="coordinator@bench.example", is_staff=True)
    coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
    liaison = User.objects.create(email="liaison@bench.example", is_staff=True)
    liaison.groups.add(Group.objects.get(name=roles.LIAISON))
    AreaMembership.objects.create(user=liaison, area=area)
    interventions = Intervention.objects.bulk_create(
        Intervention(
            code=f"IV-B{index:05d}",
            title=f"Interventie {index}",
            track=track,
            area=area,
            status="running",
            start_date=datetime.date(2024, 1, 1),
        )
        for index in range(rows)
    )
    Intervention.themes.through.objects.bulk_create(
        Intervention.themes.through(intervention_id=i.pk, theme_id=theme.pk) for i in interventions
    )
    Indicator.objects.bulk_create(
        Indicator(intervention=i, name="Bereik", unit="number") for i in interventions
    )
    period = services.quarter_open(
        programme=programme,
        year=2026,
        quarter=1,
        deadline=datetime.date(2026, 4, 15),
        user=coordinator,
    )
    area_report = period.reports.get(area=area)

    def template():
        buffer = io.BytesIO()
        imports.quarter_template(report=area_report, user=liaison, target=buffer)
        return buffer.getvalue()

    data, template_seconds, template_peak = timed(template)
    book = load_workbook(io.BytesIO(data))
    for title, columns, values in (
        (
            imports.SHEET_UPDATES,
            imports.UPDATE_COLUMNS,
            {"light": "green", "narrative": "Op koers.", "money_spent_to_date": 1250.5},
        ),
        (imports.SHEET_INDICATORS, imports.INDICATOR_COLUMNS, {"value": 42}),
    ):
        sheet = next(book[n] for n in book.sheetnames if xlsx.folded(n) == xlsx.folded(str(title)))
        where = {}
        for cell in sheet[1]:
            for column in columns:
                if xlsx.folded(cell.value) in column.names():
                    where[column.key] = cell.column
        for number in range(2, sheet.max_row + 1):
            for key, value in values.items():
                sheet.cell(row=number, column=where[key]).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    filled = buffer.getvalue()

    def quarter_import(traced_copy=False):
        upload = SimpleUploadedFile("kwartaal.xlsx", filled)
        return imports.import_quarter(report=area_report, user=liaison, upload=upload)

    # The import is measured once (it changes the rows); its memory on a second,
    # unchanging run of the same file (same reading and checking, no writes).
    with counting_queries() as queries:
        result, import_seconds, _ = timed(quarter_import, traced=False)
    import_queries = queries[0]
    assert result.ok and result.updates_changed == rows, result.problems[:3]
    tracemalloc.start()
    quarter_import()
    import_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert ProgressUpdate.objects.filter(report=area_report, light="green").count() == rows

    # A sheet of new interventions, each with a funding line.
    sheet_book = Workbook()
    sheet = sheet_book.active
    sheet.title = "Interventions"
    sheet.append([c.key for c in intervention_imports.INTERVENTION_COLUMNS])
    for index in range(rows):
        sheet.append(
            [
                f"IV-N{index:05d}",
                f"Nieuw {index}",
                "bench-import",
                1,
                "bench",
                "running",
                "bench",
                None,
                "01-01-2026",
                None,
                None,
                "Beschrijving.",
            ]
        )
    funding = sheet_book.create_sheet("Funding lines")
    funding.append([c.key for c in intervention_imports.FUNDING_COLUMNS])
    for index in range(rows):
        funding.append([f"IV-N{index:05d}", "state", None, 2026, 1000, None])
    buffer = io.BytesIO()
    sheet_book.save(buffer)
    sheet_data = buffer.getvalue()

    def interventions_import(dry_run):
        return lambda: intervention_imports.import_interventions(
            user=coordinator, upload=SimpleUploadedFile("i.xlsx", sheet_data), dry_run=dry_run
        )

    _, dry_seconds, dry_peak = timed(interventions_import(True))
    with counting_queries() as queries:
        applied, apply_seconds, _ = timed(interventions_import(False), traced=False)
    apply_queries = queries[0]
    assert applied.ok and applied.counts()["created"] == rows, applied.problems[:3]

    # Hostile files: a zip bomb and a 5,001-row sheet, refused.
    bomb = io.BytesIO(filled)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/bom.bin", b"\0" * (100 * 2**20))

    def refuse(data):
        def go():
            try:
                imports.import_quarter(
                    report=area_report, user=liaison, upload=SimpleUploadedFile("x.xlsx", data)
                )
            except xlsx.SpreadsheetRefused as error:
                return error.code
            return "accepted"

        return go

    code_bomb, bomb_seconds, bomb_peak = timed(refuse(bomb.getvalue()))
    big = Workbook()
    big.active.title = str(imports.SHEET_UPDATES)
    big.active.append([str(column.header) for column in imports.UPDATE_COLUMNS])
    for index in range(xlsx.LIMITS.rows + 2):
        big.active.append([index + 1, 1, f"IV-{index}", "x", "green"])
    buffer = io.BytesIO()
    big.save(buffer)
    code_big, big_seconds, big_peak = timed(refuse(buffer.getvalue()))

    vendor = connection_vendor()
    print(f"Excel round trip, {rows} rows, {vendor} ({database})")
    print(
        f"  quarter template ({len(data) / 1024:.0f} KiB)   {template_seconds:6.2f} s  peak {template_peak:6.1f} MiB"
    )
    print(
        f"  quarter import, all rows changed  {import_seconds:6.2f} s  peak {import_peak:6.1f} MiB (re-run), {import_queries} queries in all"
    )
    print(f"  intervention sheet, dry run       {dry_seconds:6.2f} s  peak {dry_peak:6.1f} MiB")
    print(
        f"  intervention sheet, applied       {apply_seconds:6.2f} s  "
        f"{apply_queries} queries in all"
    )
    print(
        f"  zip bomb (100 MiB unpacked)        {bomb_seconds:6.2f} s  peak {bomb_peak:6.1f} MiB -> {code_bomb}"
    )
    print(
        f"  sheet over the row cap             {big_seconds:6.2f} s  peak {big_peak:6.1f} MiB -> {code_big}"
    )


@contextlib.contextmanager
def counting_queries():
    """The number of SQL statements run inside, in ``[0]`` of what it yields."""
    from django.db import connection

    count = [0]

    def count_one(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_one):
        yield count


def connection_vendor():
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()
