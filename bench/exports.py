"""Time and peak memory of the quarterly XLSX and CSV exports, and CSV against
PostgreSQL's own COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        uv run python bench/exports.py --interventions 40000

Builds (or reuses) a quarter with one update per intervention, then exports it as the
coordinator would. Peak memory is the Python heap's peak during the export
(tracemalloc), so a streamed export stays flat as the data grows.
"""

import argparse
import datetime
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def build(interventions):
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts import roles
    from accounts.models import User
    from areas.models import Area
    from interventions.models import FundingLine, Intervention
    from programme.models import Programme, ReportingPeriod
    from reporting import services
    from reporting.models import ProgressUpdate

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    coordinator, _ = User.objects.get_or_create(email="bench-coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
    programme = Programme.objects.get(code="nplv-2022")
    period = ReportingPeriod.objects.filter(programme=programme, year=2030, quarter=1).first()
    existing = Intervention.objects.filter(code__startswith="EXPORT-").count()
    if period is None or existing != interventions:
        track = programme.tracks.get(number=1)
        areas = list(Area.objects.filter(tracks=track))
        ProgressUpdate.objects.filter(intervention__code__startswith="EXPORT-").delete()
        FundingLine.objects.filter(intervention__code__startswith="EXPORT-").delete()
        Intervention.themes.through.objects.filter(
            intervention__code__startswith="EXPORT-"
        ).delete()
        Intervention.objects.filter(code__startswith="EXPORT-").delete()
        made = Intervention.objects.bulk_create(
            Intervention(
                code=f"EXPORT-{n:06d}",
                title=f"Interventie {n}",
                track=track,
                area=areas[n % len(areas)],
                status="running",
                start_date=datetime.date(2025, 1, 1),
            )
            for n in range(interventions)
        )
        FundingLine.objects.bulk_create(
            FundingLine(intervention=i, source="state", amount=Decimal(1000 + n % 500))
            for n, i in enumerate(made)
        )
        if period is None:
            period = services.quarter_open(
                programme=programme,
                year=2030,
                quarter=1,
                deadline=datetime.date(2030, 4, 15),
                user=coordinator,
            )
        else:
            for report in period.reports.all():
                services.report_prepare(report=report, user=coordinator)
    return coordinator, period


def measure(label, run):
    """Time a run, then run it again under tracemalloc for its peak (tracemalloc slows
    Python down, so the two are measured apart)."""
    start = time.perf_counter()
    size = run()
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label:<28} {elapsed:7.2f} s   peak {peak / 2**20:6.1f} MiB   {size / 2**20:6.1f} MiB file"
    )
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interventions", type=int, default=40000)
    args = parser.parse_args()
    coordinator, period = build(args.interventions)
    from django.db import connection

    from reporting.exports.tables import quarter_tables
    from reporting.exports.writers import spooled, write_csv_zip, write_xlsx

    def export(writer):
        def run():
            target = spooled()
            writer(quarter_tables(user=coordinator, period=period), target)
            return target.tell()

        return run

    def csv_interventions_only():
        import csv
        import io

        table = next(
            t for t in quarter_tables(user=coordinator, period=period) if t.name == "interventions"
        )
        out = io.StringIO()
        writer = csv.writer(out)
        for row in table.rows():
            writer.writerow(row)
        return len(out.getvalue())

    def copy_interventions():
        sql = f"""COPY (
            SELECT i.code, i.title, a.name, t.number, i.status, p.name, i.start_date, i.end_date,
                   u.light, u.narrative, u.results, u.money_spent_to_date, u.risks
            FROM interventions_intervention i
            JOIN programme_track t ON t.id = i.track_id
            LEFT JOIN areas_area a ON a.id = i.area_id
            LEFT JOIN areas_partner p ON p.id = i.lead_partner_id
            LEFT JOIN reporting_progressupdate u ON u.intervention_id = i.id AND u.period_id = {period.pk}
            WHERE t.programme_id = {period.programme_id}
            ORDER BY a.name, i.title, i.id) TO STDOUT WITH CSV"""
        size = 0
        with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
            for block in copy:
                size += len(block)
        return size

    print(f"{args.interventions} interventions, quarter {period.label}")
    measure("XLSX (6 sheets)", export(write_xlsx))
    measure("CSV zip (6 tables)", export(write_csv_zip))
    ours = measure("CSV, interventions table", csv_interventions_only)
    if connection.vendor == "postgresql":
        copy = measure("PostgreSQL COPY, same rows", copy_interventions)
        print(f"CSV / COPY ratio: {ours / copy:.1f}")


if __name__ == "__main__":
    main()
