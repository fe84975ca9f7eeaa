"""API latency on the generated data: p50/p95/p99 at 1 and 16 concurrent clients,
next to the raw SQL of the same page, and the queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        uv run python bench/api_latency.py [--duration 30] [--workers 4]

Serves the app with gunicorn on 127.0.0.1 and loads it with locust (headless,
FastHttpUser, no wait between requests) as the bench viewer, with an API token. Each
scenario is a handful of 100-row pages with filters, taken in turn.

The raw SQL of a page is the very SQL the page runs (captured in-process), replayed
with a bare psycopg cursor and fetched: the ratio page / SQL is what Django, DRF and
HTTP add. Not part of the test suite: timings belong here, not in assertions.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from .common import (
    ROOT,
    api_token,
    bench_programme,
    bench_users,
    elapsed_ms,
    open_quarter,
    recorded,
    setup,
)

HOST = "127.0.0.1"


def scenarios():
    """The requests to time: each a list of paths taken in turn."""
    from django.db.models import Count

    from areas.models import Area
    from interventions.models import Intervention
    from reporting.models import AreaReport

    programme = bench_programme()
    quarter = open_quarter()
    earlier = quarter.previous()
    busiest = (
        Area.objects.filter(tracks__programme=programme)
        .annotate(n=Count("interventions"))
        .order_by("-n", "pk")
        .first()
    )
    ids = list(
        Intervention.objects.filter(track__programme=programme)
        .order_by("pk")
        .values_list("pk", flat=True)[::97][:100]
    )
    code = programme.code

    def middle_page(rows):
        """A page halfway, at most the 20th: deep pages cost more (OFFSET)."""
        return max(1, min(20, rows // 100 // 2))

    completed = Intervention.objects.filter(track__programme=programme, status="completed")
    deep_interventions = middle_page(completed.count())
    deep_updates = middle_page(earlier.updates.count())
    deep_reports = middle_page(AreaReport.objects.filter(period__programme=programme).count())
    return [
        {
            "name": "interventions-list",
            "label": "interventions list, 100 rows, filtered",
            "list": True,
            "paths": [
                f"/api/v1/interventions/?programme={code}&status=running&page_size=100",
                f"/api/v1/interventions/?programme={code}&theme=youth&province=ZH&page_size=100",
                f"/api/v1/interventions/?area={busiest.pk}&ordering=-start_date&page_size=100",
                f"/api/v1/interventions/?programme={code}&status=completed"
                f"&page={deep_interventions}&page_size=100",
            ],
        },
        {
            "name": "updates-list",
            "label": "progress updates list, 100 rows, filtered",
            "list": True,
            "paths": [
                f"/api/v1/progress-updates/?quarter={quarter.label}&light=red&page_size=100",
                f"/api/v1/progress-updates/?quarter={earlier.label}&area={busiest.pk}&page_size=100",
                f"/api/v1/progress-updates/?quarter={earlier.label}&page={deep_updates}&page_size=100",
            ],
        },
        {
            "name": "reports-list",
            "label": "area reports list, 100 rows, filtered",
            "list": True,
            "paths": [
                f"/api/v1/area-reports/?quarter={quarter.label}&status=draft&page_size=100",
                f"/api/v1/area-reports/?programme={code}&page={deep_reports}&page_size=100",
            ],
        },
        {
            "name": "intervention-detail",
            "label": "intervention detail",
            "list": False,
            "paths": [f"/api/v1/interventions/{pk}/" for pk in ids],
        },
    ]


def client_for(key):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def captured(client, path):
    """The SQL statements (with their parameters) a request runs, and its status."""
    response, log = recorded(lambda: client.get(path, HTTP_HOST=HOST))
    return response.status_code, [(sql, params) for sql, params, _many, _ms in log.queries]


def raw_sql(statements):
    """A function that runs ``statements`` with a bare psycopg cursor, fetching every
    row, inside a transaction that is rolled back."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection

    def run():
        with raw.transaction(force_rollback=True), raw.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description:
                    cursor.fetchall()

    return run


def in_process(key, scenario, repeat):
    """Per path: queries per request, in-process page time (median ms) and raw SQL time.
    Page and SQL are timed in turn, so a change in the machine's load between them
    moves both, not only one side of the ratio."""
    client = client_for(key)
    rows = []
    for path in scenario["paths"][: 4 if scenario["list"] else 3]:
        status, statements = captured(client, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        get, replay = (lambda p=path: client.get(p, HTTP_HOST=HOST)), raw_sql(statements)
        get(), replay()  # warm
        page, sql = [], []
        for _ in range(repeat):
            page.append(elapsed_ms(get))
            sql.append(elapsed_ms(replay))
        rows.append(
            {
                "path": path,
                "queries": len(statements),
                "page_ms": statistics.median(page),
                "sql_ms": statistics.median(sql),
            }
        )
    return rows


def queries_by_page_size(key, scenario):
    """Queries per request at 1, 10 and 100 rows a page: constant is the target."""
    client = client_for(key)
    path = scenario["paths"][0].replace("page_size=100", "page_size={n}")
    counts = {}
    for n in (1, 10, 100):
        status, statements = captured(client, path.format(n=n))
        counts[n] = len(statements) if status == 200 else f"HTTP {status}"
    return counts


def serve(port, workers, threads):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "-b",
        f"{HOST}:{port}",
        "-w",
        str(workers),
        "--log-level",
        "warning",
    ]
    if threads > 1:
        command += ["--threads", str(threads)]
    env = {**os.environ, "ALLOWED_HOSTS": HOST, "DEBUG": "false", "CONN_MAX_AGE": "600"}
    log = open(Path(tempfile.gettempdir()) / "bench-gunicorn.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/", timeout=2)
        except urllib.error.HTTPError:
            return server  # 401/403: it is up
        except OSError:
            time.sleep(0.2)
        else:
            return server
    server.terminate()
    raise SystemExit("gunicorn did not start")


def locust(port, key, scenario, users, duration):
    """p50/p95/p99 (ms), requests per second and failures of one locust run."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = str(Path(folder) / "run")
        env = {
            **os.environ,
            "BENCH_TOKEN": key,
            "BENCH_PATHS": "|".join(scenario["paths"]),
            "BENCH_NAME": scenario["name"],
            "BENCH_DURATION": str(duration),
        }
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{duration + 60}s",  # a safety net: the locustfile stops the run
                "--host",
                f"http://{HOST}:{port}",
                "--csv",
                prefix,
                "--only-summary",
                "--reset-stats",
                "--loglevel",
                "ERROR",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv", newline="") as stats:
            row = next(r for r in csv.DictReader(stats) if r["Name"] == scenario["name"])
    return {
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "rps": float(row["Requests/s"]),
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
    }


def run(duration=30, repeat=20, workers=4, threads=1, port=8765, only=None, http=True, say=print):
    setup()
    users = bench_users()
    key = api_token(users["viewer"], "bench latency")
    results = []
    chosen = [s for s in scenarios() if not only or s["name"] in only]
    for scenario in chosen:
        detail = in_process(key, scenario, repeat)
        counts = queries_by_page_size(key, scenario) if scenario["list"] else None
        sql = sum(p["sql_ms"] for p in detail) / len(detail)
        page = sum(p["page_ms"] for p in detail) / len(detail)
        results.append(
            {
                **scenario,
                "paths_detail": detail,
                "queries_by_size": counts,
                "sql_ms": sql,
                "page_ms": page,
                # The target (DESIGN.md section 8): the page in-process against its SQL.
                "in_process_ratio": page / sql if sql else None,
            }
        )
        say(
            f"{scenario['label']:<45} in-process page {page:.1f} ms, raw SQL {sql:.1f} ms: "
            f"{page / sql:.2f} x"
        )
        for row in detail:
            say(
                f"    {row['path']}: page {row['page_ms']:.1f} ms, SQL {row['sql_ms']:.1f} ms"
                f" ({row['page_ms'] / row['sql_ms']:.2f} x)"
            )
    if not http:
        return {"workers": workers, "threads": threads, "duration": 0, "scenarios": results}
    server = serve(port, workers, threads)
    try:
        for result in results:
            result["http"] = {}
            for clients in (1, 16):
                figures = locust(port, key, result, clients, duration)
                result["http"][clients] = figures
                say(
                    f"{result['label']:<45} {clients:>2} client(s): p50 {figures['p50']:.0f} ms,"
                    f" p95 {figures['p95']:.0f} ms, p99 {figures['p99']:.0f} ms,"
                    f" {figures['rps']:.0f}/s, {figures['failures']} failed"
                )
            sql, page = result["sql_ms"], result["page_ms"]
            result["ratio"] = result["http"][1]["p50"] / sql if sql else None
            say(
                f"{'':<45} raw SQL {sql:.1f} ms, in-process page {page:.1f} ms, "
                f"HTTP p50 / SQL = {result['ratio']:.1f}; queries {result['paths_detail'][0]['queries']}"
                + (f", by page size {result['queries_by_size']}" if result["list"] else "")
            )
    finally:
        server.terminate()
        server.wait()
    return {"workers": workers, "threads": threads, "duration": duration, "scenarios": results}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=30, help="seconds per locust run")
    parser.add_argument("--repeat", type=int, default=20, help="in-process repeats per page")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", nargs="*", help="scenario names")
    parser.add_argument(
        "--in-process-only", action="store_true", help="no gunicorn and locust: the ratios only"
    )
    args = parser.parse_args()
    run(
        args.duration,
        args.repeat,
        args.workers,
        args.threads,
        args.port,
        args.only,
        http=not args.in_process_only,
    )


if __name__ == "__main__":
    main()
