"""Load run: N clients against gunicorn on a scratch PostgreSQL database, mixing reads
and writes, then counting in the database that no write was lost or doubled.

    uv run --frozen python bench/load.py --clients 50 --duration 150
    uv run --frozen python bench/load.py --clients 5 --duration 15     # the CI run

It (re)creates the database named in --database-url (default ``load`` on the local
PostgreSQL; never a database that is not a scratch one), migrates it, loads the
reference and demo data, opens a fresh quarter and gives every persona an API token:
the coordinator, a liaison per area, a viewer. Then gunicorn serves it on loopback and
each client, a thread with its own keep-alive connection, loops for --duration
seconds over:

- reads (60 %): interventions filtered by area and status, progress updates of the
  quarter, one update's detail, the areas, the quarterly report as JSON;
- progress updates (25 %, liaisons of their own area): read the update, PATCH its
  narrative and money with If-Match. 412 (someone else changed it first) is the
  correct answer to a stale ETag and counted apart, not as an error;
- escalations (15 %, liaisons): POST a new escalation with a unique title.

Afterwards it checks in the database: every escalation the clients saw created exists
exactly once, and none they did not; each update's version rose by exactly the number
of PATCHes that succeeded on it, its history has one record per success, and its
text is that of one of those successes. Exit status 1 on any error or mismatch.
"""

import argparse
import collections
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUARTER = (2031, 1)
PASSWORD = "load-wachtwoord-2031"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=150, help="seconds")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/load"),
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--seed", type=int, default=2031)
    return parser.parse_args()


# ---------------------------------------------------------------------------
# The database


def recreate_database(url):
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "register", "template0", "template1"}:
        raise SystemExit(f"Refusing to recreate database {name!r}: use a scratch database.")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args, env):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def prepare(env):
    """Migrate, load data, open the quarter, make personas and tokens (in this process).
    The demo data refuses production mode, so the set-up runs in development mode."""
    env = {**env, "ENVIRONMENT": "development"}
    manage("migrate", "--no-input", env=env)
    manage("load_reference_data", env=env)
    manage("load_demo_data", env=env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import datetime

    from django.contrib.auth.models import Group

    from accounts import roles
    from accounts.models import ApiToken, AreaMembership, User
    from programme.models import Programme
    from reporting import services

    coordinator = User.objects.get(email="coordinator@demo.example")
    from django.db.models import Count, Q

    # The programme with the most running interventions: each gets an update to write.
    programme = (
        Programme.objects.annotate(
            running=Count(
                "tracks__interventions", filter=Q(tracks__interventions__status="running")
            )
        )
        .order_by("-running")
        .first()
    )
    period = services.quarter_open(
        programme=programme,
        year=QUARTER[0],
        quarter=QUARTER[1],
        deadline=datetime.date(QUARTER[0], 4, 15),
        user=coordinator,
    )
    personas = [("coordinator", coordinator, None)]
    viewer = User.objects.create_user("load-viewer@example.org", PASSWORD)
    viewer.groups.add(Group.objects.get(name=roles.VIEWER))
    personas.append(("viewer", viewer, None))
    reports = period.reports.select_related("area").filter(updates__isnull=False).distinct()
    for report in reports:
        liaison = User.objects.create_user(f"load-liaison-{report.area_id}@example.org", PASSWORD)
        liaison.groups.add(Group.objects.get(name=roles.LIAISON))
        AreaMembership.objects.create(user=liaison, area=report.area)
        personas.append(("liaison", liaison, report))
    clients = []
    for kind, user, report in personas:
        _token, key = ApiToken.objects.create(user=user, name="load", can_write=True)
        updates = list(report.updates.values_list("pk", flat=True)) if report else []
        clients.append(
            {
                "kind": kind,
                "key": key,
                "area": report.area_id if report else None,
                "report": report.pk if report else None,
                "updates": updates,
            }
        )
    return period, clients


# ---------------------------------------------------------------------------
# The server


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port, workers, threads):
    log_dir = ROOT / "bench" / "out"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / "load-gunicorn.log", "w")  # noqa: SIM115 (kept open for the server)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
            return server
        except requests.RequestException:
            time.sleep(0.5)
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not start")


def stop_gunicorn(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


# ---------------------------------------------------------------------------
# The clients


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = collections.defaultdict(list)
        self.errors = collections.Counter()
        self.error_samples = []
        self.conflicts = 0
        self.patches = collections.defaultdict(list)  # update id -> narratives saved
        self.created = []  # escalation titles the server said it created

    def time(self, kind, seconds):
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, kind, detail):
        with self.lock:
            self.errors[kind] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{kind}: {detail}")


def run_client(number, client, base, period_id, quarter_label, stop, tally, seed):
    import requests

    rng = random.Random(seed * 1000 + number)
    session = requests.Session()
    session.headers["Authorization"] = f"Token {client['key']}"
    writes = 0

    def call(kind, method, path, expected, **kwargs):
        started = time.monotonic()
        try:
            response = session.request(method, base + path, timeout=60, **kwargs)
        except requests.RequestException as error:
            tally.error(kind, repr(error))
            return None
        tally.time(kind, time.monotonic() - started)
        if response.status_code not in expected:
            tally.error(kind, f"{method} {path} -> {response.status_code} {response.text[:200]}")
            return None
        return response

    while not stop.is_set():
        roll = rng.random()
        liaison = client["kind"] == "liaison"
        if liaison and roll < 0.25 and client["updates"]:
            update = rng.choice(client["updates"])
            path = f"/api/v1/progress-updates/{update}/"
            current = call("read update", "GET", path, {200})
            if current is None:
                continue
            writes += 1
            narrative = f"c{number}-w{writes}"
            response = call(
                "patch update",
                "PATCH",
                path,
                {200, 412},
                json={
                    "narrative": narrative,
                    "money_spent_to_date": f"{writes}.{number % 100:02d}",
                },
                headers={"If-Match": current.headers["ETag"]},
            )
            if response is not None:
                with tally.lock:
                    if response.status_code == 412:
                        tally.conflicts += 1
                    else:
                        tally.patches[update].append(narrative)
        elif liaison and roll < 0.40:
            writes += 1
            title = f"load c{number} n{writes}"
            response = call(
                "post escalation",
                "POST",
                "/api/v1/escalations/",
                {201},
                json={
                    "report": client["report"],
                    "title": title,
                    "description": "Generated by the load run.",
                    "kind": rng.choice(["rules", "money", "capacity", "other"]),
                    "addressed_to": "BZK",
                },
            )
            if response is not None:
                with tally.lock:
                    tally.created.append(title)
        else:
            choice = rng.random()
            if choice < 0.3:
                params = {"status": "running", "page_size": 100}
                if client["area"]:
                    params["area"] = client["area"]
                call("list interventions", "GET", "/api/v1/interventions/", {200}, params=params)
            elif choice < 0.6:
                call(
                    "list updates",
                    "GET",
                    "/api/v1/progress-updates/",
                    {200},
                    params={"quarter": quarter_label, "ordering": "-id", "page_size": 50},
                )
            elif choice < 0.8 and client["updates"]:
                update = rng.choice(client["updates"])
                call("read update", "GET", f"/api/v1/progress-updates/{update}/", {200})
            elif choice < 0.9:
                call("list areas", "GET", "/api/v1/areas/", {200})
            else:
                call(
                    "quarterly report",
                    "GET",
                    "/api/v1/quarterly-report/",
                    {200},
                    params={"quarter": quarter_label},
                )


# ---------------------------------------------------------------------------
# Counting afterwards


def verify(period, clients, tally, initial_versions):
    from reporting.models import Escalation, ProgressUpdate

    problems = []
    stored = collections.Counter(
        Escalation.objects.filter(report__period=period, title__startswith="load c").values_list(
            "title", flat=True
        )
    )
    seen = collections.Counter(tally.created)
    doubled = [title for title, n in stored.items() if n > 1]
    lost = [title for title in seen if title not in stored]
    unknown = [title for title in stored if title not in seen]
    if doubled or lost or unknown or seen.total() != stored.total():
        problems.append(
            f"escalations: clients saw {seen.total()} created, database has {stored.total()} "
            f"(lost {lost[:5]}, doubled {doubled[:5]}, unseen {unknown[:5]})"
        )
    for update in ProgressUpdate.objects.filter(period=period):
        saved = tally.patches.get(update.pk, [])
        rise = update.version - initial_versions[update.pk]
        records = update.history.filter(narrative__in=saved).count() if saved else 0
        if rise != len(saved):
            problems.append(f"update {update.pk}: {len(saved)} PATCHes saved, version rose {rise}")
        if records != len(saved):
            problems.append(f"update {update.pk}: {len(saved)} PATCHes, {records} history records")
        if saved and update.narrative not in saved:
            problems.append(f"update {update.pk}: final text {update.narrative!r} not a saved one")
    return problems, seen.total(), sum(len(v) for v in tally.patches.values())


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    args = parse_args()
    recreate_database(args.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
        "ACCESS_LOG_LEVEL": "WARNING",
        "LOG_LEVEL": "WARNING",
        "EXPORT_THROTTLE_RATE": "100000/hour",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    print(f"Preparing {urlparse(args.database_url).path.lstrip('/')} ...", flush=True)
    period, clients = prepare(env)
    from reporting.models import ProgressUpdate

    initial_versions = dict(
        ProgressUpdate.objects.filter(period=period).values_list("pk", "version")
    )
    liaisons = [c for c in clients if c["kind"] == "liaison"]
    others = [c for c in clients if c["kind"] != "liaison"]
    if not liaisons:
        raise SystemExit("No area has running interventions in the quarter: nothing to write.")
    port = free_port()
    print(f"Starting gunicorn on 127.0.0.1:{port} ...", flush=True)
    server = start_gunicorn(env, port, args.workers, args.threads)
    tally, stop = Tally(), threading.Event()
    # Two in three clients are liaisons (the writers); the rest read.
    assigned = [
        liaisons[n % len(liaisons)] if n % 3 else others[n // 3 % len(others)]
        for n in range(args.clients)
    ]
    threads = [
        threading.Thread(
            target=run_client,
            args=(
                n,
                client,
                f"http://127.0.0.1:{port}",
                period.pk,
                period.label,
                stop,
                tally,
                args.seed,
            ),
            daemon=True,
        )
        for n, client in enumerate(assigned)
    ]
    print(
        f"{args.clients} clients ({sum(c['kind'] == 'liaison' for c in assigned)} liaisons) "
        f"for {args.duration:.0f} s against gunicorn {args.workers}x{args.threads} on "
        f"127.0.0.1:{port} ...",
        flush=True,
    )
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        time.sleep(args.duration)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        elapsed = time.monotonic() - started
        stop.set()
        stop_gunicorn(server)

    problems, escalations, patches = verify(period, clients, tally, initial_versions)
    everything = [s for values in tally.latencies.values() for s in values]
    print(f"\nRequests: {len(everything)} in {elapsed:.0f} s ({len(everything) / elapsed:.0f}/s)")
    print(f"{'kind':20} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in sorted(tally.latencies.items()) + [("all", everything)]:
        print(
            f"{kind:20} {len(values):7} {statistics.median(values) * 1000:8.0f} "
            f"{percentile(values, 0.95) * 1000:8.0f} {max(values) * 1000:8.0f}"
        )
    print(f"\nWrites saved: {patches} PATCHes, {escalations} escalations created")
    print(f"Stale ETags refused (412, correct): {tally.conflicts}")
    print(f"Errors: {sum(tally.errors.values())} {dict(tally.errors)}")
    for sample in tally.error_samples:
        print("  ", sample)
    print(f"Count check: {'no lost or doubled writes' if not problems else 'MISMATCH'}")
    for problem in problems[:20]:
        print("  ", problem)
    if tally.errors or problems or not everything:
        sys.exit(1)


if __name__ == "__main__":
    main()
