"""``make bench``: generate the national-scale data set, run every measurement and
write ``bench/results.md`` against the targets of DESIGN.md section 8.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        uv run python bench/run.py --scale 1.0 --output bench/results.md

The database must be a scratch one whose name starts with ``bench``: it is dropped and
created again unless it already holds data generated at the same scale (``--fresh``
always starts over). ``--quick`` shortens every run, for CI at a tiny scale.
"""

import argparse
import datetime
import json
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from . import api_latency, exports, generate, pages
from .common import machine, setup

HERE = Path(__file__).resolve().parent
SEED = 2026


def prepare_database(url, scale, fresh):
    """Drop and create the scratch database unless it holds this scale's data already."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(
            f"Refusing to use {name!r}: the bench database's name starts with 'bench'."
        )
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not fresh:
        with psycopg.connect(url) as bench:
            found = (
                bench.execute(
                    "SELECT description FROM programme_programme WHERE code = %s",
                    [generate.PROGRAMME_CODE],
                ).fetchone()
                if _has_table(bench)
                else None
            )
        if found and found[0].endswith(f"scale={scale} seed={SEED}"):
            return "reused"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return "created"


def _has_table(connection):
    return connection.execute("SELECT to_regclass('programme_programme')").fetchone()[0]


def ms(value):
    return "–" if value is None else f"{value:.0f} ms"


def mark(ok):
    return "met" if ok else "**not met**"


def report(*, scale, quick, started, database, api, export, page, host, say, remeasured=()):
    api_lists = [s for s in api["scenarios"] if s["list"]]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`); how to run it and what each script does: "
        "[`bench/README.md`](README.md).",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; scale {scale}"
        + (" (quick run: short durations, figures are rough)" if quick else ""),
        f"- Machine: {host['cpu']}, {host['cores']} cores, {host['memory']} RAM; {host['os']}",
        f"- Python {host['python']}; PostgreSQL {host['postgres']}; gunicorn {host['gunicorn']} "
        f"with {api['workers']} sync workers"
        + (f" × {api['threads']} threads" if api["threads"] > 1 else "")
        + " on 127.0.0.1, `CONN_MAX_AGE=600`; load by locust (FastHttpUser) on the same cores",
        f"- Load average before the run (1/5/15 min): {host['load']}; the machine is shared "
        "with other work, so figures are noisy",
        f"- Data: {database}",
        *(
            [f"- Measured again later, when the machine was quieter: {'; '.join(remeasured)}"]
            if remeasured
            else []
        ),
        "",
        "## Targets (DESIGN.md section 8)",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    constant = all(len(set(s["queries_by_size"].values())) == 1 for s in api_lists)
    lines.append(
        "| API lists: constant queries per request | "
        + "; ".join(
            f"{s['name']}: {', '.join(str(v) for v in s['queries_by_size'].values())}"
            for s in api_lists
        )
        + " (at 1, 10, 100 rows) | "
        + mark(constant)
        + " |"
    )
    for s in api_lists:
        p95 = s["http"][16]["p95"]
        lines.append(
            f"| API {s['label']}: p95 < 150 ms at 16 clients | {ms(p95)} "
            f"(p50 {ms(s['http'][16]['p50'])}; 1 client: p95 {ms(s['http'][1]['p95'])}) | "
            f"{mark(p95 < 150)} |"
        )
    for s in api_lists:
        lines.append(
            f"| API {s['label']}: page ≤ 2 × raw SQL (in-process) | "
            f"{s['in_process_ratio']:.2f} × (page {s['page_ms']:.0f} ms, SQL {s['sql_ms']:.1f} ms; "
            f"HTTP p50 {ms(s['http'][1]['p50'])}) | {mark(s['in_process_ratio'] <= 2)} |"
        )
    x = export["xlsx"]
    a = export["xlsx_one_area"]
    lines += [
        f"| XLSX of all {export['interventions']:,} interventions < 10 s | {x['seconds']:.1f} s | "
        f"{mark(x['seconds'] < 10)} |",
        f"| XLSX: flat memory (streamed) | peak {x['peak_mib']:.1f} MiB for a "
        f"{x['size_mib']:.1f} MiB file; one area ({export['area_interventions']} interventions): "
        f"{a['peak_mib']:.1f} MiB | {mark(x['peak_mib'] < max(3 * a['peak_mib'], 10))} |",
        f"| CSV within 3 × PostgreSQL `COPY` of the same rows | {export['ratio']:.2f} × "
        f"({export['csv_interventions']['seconds']:.2f} s against "
        f"{export['copy_interventions']['seconds']:.2f} s) | {mark(export['ratio'] <= 3)} |",
    ]
    measured = [r for r in page["admin"] if r["status"] == 200]
    slowest = max(measured, key=lambda r: r["median_ms"])
    lines.append(
        f"| Admin change lists < 500 ms | slowest median {ms(slowest['median_ms'])} "
        f"({slowest['label']}, {slowest['role']}); {len(measured)} lists × roles | "
        f"{mark(slowest['median_ms'] < 500)} |"
    )
    # DESIGN.md section 8: the dashboard over 400 areas < 300 ms warm, < 600 ms cold.
    limits = {"dashboard": 300, "dashboard, cold cache": 600}
    for row in [r for r in page["pages"] if r["role"] == "coordinator"]:
        if row["status"] == 200:
            limit = limits.get(row["label"], 500)
            lines.append(
                f"| {row['label'].capitalize()} < {limit} ms | median {ms(row['median_ms'])} | "
                f"{mark(row['median_ms'] < limit)} |"
            )
    for name in page["skipped"]:
        lines.append(f"| `{name}` < 500 ms | not measured: the page does not exist yet | – |")
    lines += [
        "| 50 clients for minutes: no errors, no lost writes | not measured here: "
        "`bench/load.py` | – |",
        "",
        "Medians of in-process timings are used for the admin and pages (server time, no "
        "network); the API figures are over HTTP.",
        "",
        "## API",
        "",
        f"locust, {api['duration']} s per run, no wait between requests; the bench viewer's "
        "token (sees everything). Each scenario takes its paths in turn.",
        "",
        "| scenario | clients | p50 | p95 | p99 | req/s | failed |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in api["scenarios"]:
        for clients, f in s["http"].items():
            lines.append(
                f"| {s['label']} | {clients} | {ms(f['p50'])} | {ms(f['p95'])} | {ms(f['p99'])} "
                f"| {f['rps']:.0f} | {f['failures']} of {f['requests']} |"
            )
    lines += [
        "",
        "Per path: queries, in-process page time and the same SQL replayed with a bare "
        "psycopg cursor (medians).",
        "",
        "| path | queries | page (in-process) | raw SQL |",
        "|---|---|---|---|",
    ]
    for s in api["scenarios"]:
        for p in s["paths_detail"]:
            lines.append(
                f"| `{p['path']}` | {p['queries']} | {p['page_ms']:.1f} ms | {p['sql_ms']:.1f} ms |"
            )
    lines += [
        "",
        "## Exports",
        "",
        f"The quarter {export['quarter']}: {export['interventions']:,} interventions, "
        f"{export['updates']:,} updates; exported as the coordinator. Peak is the Python "
        "heap's (tracemalloc).",
        "",
        "| export | time | peak memory | file |",
        "|---|---|---|---|",
    ]
    for key, label in [
        ("xlsx", "XLSX, 7 sheets (`core.spreadsheets.xlsx_stream`, what the exports use)"),
        ("xlsx_xlsxwriter", "XLSX, 7 sheets, XlsxWriter `constant_memory` (the second writer)"),
        ("xlsx_openpyxl", "XLSX, 7 sheets, openpyxl write-only (the first writer)"),
        (
            "xlsx_one_area",
            f"XLSX, 7 sheets, one area ({export['area_interventions']} interventions)",
        ),
        ("csv_zip", "CSV zip, 6 tables"),
        ("csv_interventions", "CSV of the interventions table (in-memory buffer)"),
        ("copy_interventions", "PostgreSQL `COPY` of the same rows"),
    ]:
        f = export[key]
        lines.append(
            f"| {label} | {f['seconds']:.2f} s | {f['peak_mib']:.1f} MiB | {f['size_mib']:.1f} MiB |"
        )
    lines += [
        "",
        "## Admin and pages",
        "",
        "In-process (Django test client), median and slowest of the repeats, with the "
        "number of queries and the slowest query.",
        "",
        "| page | role | median | max | queries | slowest query |",
        "|---|---|---|---|---|---|",
    ]
    for row in page["admin"] + page["pages"]:
        if row["status"] != 200:
            lines.append(f"| {row['label']} | {row['role']} | HTTP {row['status']} | | | |")
            continue
        lines.append(
            f"| {row['label']} | {row['role']} | {ms(row['median_ms'])} | {ms(row['max_ms'])} "
            f"| {row['queries']} | {row['slowest_sql_ms']:.0f} ms |"
        )
    for name in page["skipped"]:
        lines.append(f"| `{name}` | – | skipped: the URL does not exist yet | | | |")
    findings = HERE / "findings.md"
    if findings.exists():
        lines += ["", findings.read_text().strip()]
    lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--output", default=str(HERE / "results.md"))
    parser.add_argument("--quick", action="store_true", help="short runs (CI)")
    parser.add_argument("--fresh", action="store_true", help="always generate anew")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--render", metavar="FIGURES", help="only write the results from a run's saved figures"
    )
    args = parser.parse_args()
    if args.render:
        figures = json.loads(Path(args.render).read_text())
        figures["started"] = datetime.datetime.fromisoformat(figures["started"])
        figures["api"]["scenarios"] = [
            {**s, "http": {int(k): v for k, v in s["http"].items()}}
            for s in figures["api"]["scenarios"]
        ]
        Path(args.output).write_text(report(**figures, say=print))
        print(f"== written to {args.output}")
        return

    import os

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a scratch PostgreSQL database (e.g. .../bench).")
    started = datetime.datetime.now(datetime.UTC)
    host_load = None
    if hasattr(os, "getloadavg"):
        host_load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    state = prepare_database(url, args.scale, args.fresh)
    print(f"== database: {state}")
    clock = time.perf_counter()
    generate.generate(scale=args.scale, seed=SEED)
    database = f"generated by `bench/generate.py --scale {args.scale}` (seed {SEED})" + (
        f" in {time.perf_counter() - clock:.0f} s" if state == "created" else ", reused"
    )
    setup()
    database += "; " + counts()
    host = machine()
    if host_load:
        host["load"] = host_load
    print("== API latency")
    api = api_latency.run(
        duration=2 if args.quick else 30,
        repeat=2 if args.quick else 20,
        workers=args.workers,
        threads=args.threads,
        # A quick run only shows that every part works: one list and the detail.
        only=["interventions-list", "intervention-detail"] if args.quick else None,
    )
    print("== exports")
    export = exports.run()
    print("== admin and pages")
    page = pages.run(repeat=1 if args.quick else 10)
    figures = {
        "scale": args.scale,
        "quick": args.quick,
        "started": started,
        "database": database,
        "api": api,
        "export": export,
        "page": page,
        "host": host,
    }
    saved = Path(tempfile.gettempdir()) / "bench-figures.json"
    saved.write_text(json.dumps(figures, default=str, indent=1))
    Path(args.output).write_text(report(**figures, say=print))
    print(f"== written to {args.output} (figures in {saved}: --render it again)")


def counts():
    from django.db import connection

    tables = [
        ("areas_area", "areas"),
        ("interventions_intervention", "interventions"),
        ("programme_reportingperiod", "quarters"),
        ("reporting_areareport", "area reports"),
        ("reporting_progressupdate", "progress updates"),
        ("reporting_indicatorvalue", "indicator values"),
        ("interventions_fundingline", "funding lines"),
    ]
    with connection.cursor() as cursor:
        parts = []
        for table, label in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            parts.append(f"{cursor.fetchone()[0]:,} {label}")
    return ", ".join(parts) + " (all programmes, reference data included)"


if __name__ == "__main__":
    main()
