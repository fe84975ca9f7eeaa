"""Latency of the interventions list (100 rows a page, with filters) over HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        uv run python bench/api_latency.py --interventions 5000 --requests 200

Builds a synthetic data set in the database it is given (it wipes the interventions
it made before), serves the app with gunicorn on 127.0.0.1 and times requests at 1
and at 16 concurrent clients. Prints p50/p95/p99 in milliseconds. Not part of the
test suite: timings belong here, not in assertions.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def build(interventions):
    import django

    django.setup()
    from django.core.management import call_command

    from accounts import roles
    from accounts.models import ApiToken, User
    from areas.models import Area
    from interventions.models import FundingLine, Intervention, Theme
    from programme.models import Programme

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    programme = Programme.objects.get(code="nplv-2022")
    track = programme.tracks.get(number=1)
    areas = list(Area.objects.filter(tracks=track))
    themes = list(Theme.objects.all())
    Intervention.objects.filter(title__startswith="Bench ").delete()
    made = Intervention.objects.bulk_create(
        Intervention(
            code=f"BENCH-{n:06d}",
            title=f"Bench interventie {n}",
            track=track,
            area=areas[n % len(areas)],
            status=["idea", "preparing", "running", "completed"][n % 4],
        )
        for n in range(interventions)
    )
    Through = Intervention.themes.through
    Through.objects.bulk_create(
        Through(intervention_id=i.pk, theme_id=themes[n % len(themes)].pk)
        for n, i in enumerate(made)
    )
    FundingLine.objects.bulk_create(
        FundingLine(intervention=i, source="state", amount=1000 + n) for n, i in enumerate(made)
    )
    from django.contrib.auth.models import Group

    analyst, _ = User.objects.get_or_create(email="bench@example.org")
    analyst.groups.add(Group.objects.get(name=roles.VIEWER))
    _token, key = ApiToken.objects.create(user=analyst, name="bench")
    return key


def timed_get(url, key):
    request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        response.read()
        assert response.status == 200
    return (time.perf_counter() - start) * 1000


def percentiles(samples):
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interventions", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    key = build(args.interventions)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1"},
    )
    try:
        base = f"http://127.0.0.1:{args.port}/api/v1/interventions/"
        urls = [
            f"{base}?page_size=100",
            f"{base}?page_size=100&status=running&theme=youth",
            f"{base}?page_size=100&province=ZH&ordering=-start_date",
        ]
        for _ in range(50):
            try:
                timed_get(urls[0], key)
                break
            except OSError:
                time.sleep(0.2)
        for url in urls:
            timed_get(url, key)
        for clients in (1, 16):
            work = [urls[n % len(urls)] for n in range(args.requests)]
            with ThreadPoolExecutor(clients) as pool:
                samples = list(pool.map(lambda u: timed_get(u, key), work))
            figures = percentiles(samples)
            print(
                f"{args.interventions} interventions, 100 rows a page, {clients:>2} client(s): "
                + ", ".join(f"{k} {v:.0f} ms" for k, v in figures.items())
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
