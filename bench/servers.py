"""Two app servers and one worker on one PostgreSQL and one Redis: nothing one server
keeps in its own memory is needed by the other.

    uv run --frozen python bench/servers.py --database-url postgres://postgres@127.0.0.1:5432/servers \\
        --redis-url redis://127.0.0.1:6379/15

It (re)creates the scratch database, loads the reference and demo data, empties the
Redis database, and starts two gunicorn servers on two ports and one Celery worker,
all with the same settings. Then, over HTTP on loopback, it shows:

1. a session made on server 1 is signed in on server 2 (sessions in the database);
2. an export job requested on server 1 is made by the worker and downloads from server 2
   (jobs in the database, their files in the shared private storage, the queue in Redis);
3. a write through server 2 is seen on server 1's dashboard at once (its figures are
   cached in Redis and dropped by the write);
4. a lockout made by failed sign-ins on server 1 holds on server 2 (django-axes, in
   the database);
5. the export rate limit counts the requests of both servers together (DRF's
   throttle, in the Redis cache);
6. ``/readyz`` is ready on both, the worker's heartbeat included.

Each check prints ok or FAILED; the exit status is 1 when any failed.
"""

import argparse
import io
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import free_port, manage, recreate_database, stop_gunicorn  # noqa: E402

COORDINATOR = "coordinator@demo.example"
VIEWER = "viewer@demo.example"
PASSWORD = "demo-wachtwoord-2026"
FAILURES_TO_LOCK = 3
EXPORT_LIMIT = 6  # export requests an hour per user, both servers together
WAIT = 180


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "SERVERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/servers"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("SERVERS_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    return parser.parse_args()


def start(command, env, log_name):
    log_dir = ROOT / "bench" / "out"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / log_name, "w")  # noqa: SIM115 (kept open for the process)
    return subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"Gave up waiting for {what}.")


def signed_in(base, email, password):
    """A session signed in through ``base``'s sign-in page, or the answer refusing it."""
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        {
            "username": email,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    return session, response


def api_headers(session):
    return {"X-CSRFToken": session.cookies["csrftoken"]}


def open_escalations(session, base, query):
    html = session.get(f"{base}/", params=query, timeout=30).text
    match = re.search(r"<dt>Open knelpunten</dt><dd>([\d.]+)</dd>", html)
    if match is None:
        raise SystemExit("The dashboard shows no count of open escalations.")
    return int(match.group(1).replace(".", ""))


def checks(one, two):
    results = []

    def check(name, passed, detail=""):
        results.append(passed)
        print(f"{'ok    ' if passed else 'FAILED'}  {name}{f': {detail}' if detail else ''}")

    session, answer = signed_in(one, COORDINATOR, PASSWORD)
    check("sign-in on server 1", answer.status_code == 302, f"HTTP {answer.status_code}")
    on_two = session.get(f"{two}/mijn-kwartaal/", allow_redirects=False, timeout=30)
    check("its session is signed in on server 2", on_two.status_code == 200)

    quarters = session.get(f"{one}/api/v1/quarters/", params={"status": "open"}, timeout=30)
    quarter = quarters.json()["results"][0]
    requested = session.post(
        f"{one}/api/v1/export-jobs/",
        json={"quarter": quarter["id"], "format": "xlsx"},
        headers=api_headers(session),
        timeout=30,
    )
    check("export job requested on server 1", requested.status_code == 202, requested.text[:200])
    job_url = f"{two}/api/v1/export-jobs/{requested.json()['id']}/"
    wait_until(
        lambda: session.get(job_url, timeout=30).json()["status"] in ("done", "failed"),
        "the worker to make the export",
    )
    job = session.get(job_url, timeout=30).json()
    download = (
        session.get(job["download"].replace(one, two), timeout=60) if job["download"] else None
    )
    readable = False
    if download is not None and download.status_code == 200:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(download.content), read_only=True)
        readable = len(book.sheetnames) > 1
    check(
        "made by the worker, downloaded from server 2",
        job["status"] == "done" and readable,
        f"status {job['status']}, {len(download.content) if download else 0} bytes",
    )

    query = {"programme": quarter["programme"], "quarter": quarter["id"]}
    before = open_escalations(session, one, query)  # now in server 1's (shared) cache
    reports = session.get(
        f"{two}/api/v1/area-reports/", params={"quarter": quarter["label"]}, timeout=30
    ).json()["results"]
    written = session.post(
        f"{two}/api/v1/escalations/",
        json={
            "report": reports[0]["id"],
            "title": f"Knelpunt via server 2 ({secrets.token_hex(3)})",
            "description": "Geschreven door server 2.",
            "kind": "rules",
            "addressed_to": "BZK",
        },
        headers=api_headers(session),
        timeout=30,
    )
    after = open_escalations(session, one, query)
    check(
        "a write through server 2 is on server 1's dashboard",
        written.status_code == 201 and after == before + 1,
        f"open escalations {before} -> {after}",
    )

    for _ in range(FAILURES_TO_LOCK):
        signed_in(one, VIEWER, "fout-wachtwoord")
    _session, locked = signed_in(two, VIEWER, PASSWORD)
    check(
        f"{FAILURES_TO_LOCK} failed sign-ins on server 1 lock the account on server 2",
        locked.status_code != 302,
        f"HTTP {locked.status_code} for the right password",
    )

    allowed = 1  # the export job above
    for attempt in range(EXPORT_LIMIT + 2):
        base = (one, two)[attempt % 2]
        answer = session.get(
            f"{base}/api/v1/quarterly-report/", params={"quarter": quarter["label"]}, timeout=30
        )
        if answer.status_code == 429:
            break
        allowed += 1
    check(
        "the export rate limit counts both servers together",
        allowed == EXPORT_LIMIT,
        f"{allowed} allowed of {EXPORT_LIMIT} an hour",
    )

    for name, base in (("server 1", one), ("server 2", two)):
        ready = requests.get(f"{base}/readyz", timeout=10)
        check(f"{name} /readyz", ready.status_code == 200, ready.text)
    return all(results)


def main():
    args = parse_args()
    recreate_database(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.redis_url,
        "ENVIRONMENT": "development",  # plain HTTP on loopback; the demo data refuses production
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),  # one key: a session signed by either
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "ACCESS_LOG_LEVEL": "WARNING",
        "AXES_FAILURE_LIMIT": str(FAILURES_TO_LOCK),
        "EXPORT_THROTTLE_RATE": f"{EXPORT_LIMIT}/hour",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    print("Preparing the database ...", flush=True)
    manage("migrate", "--no-input", env=env)
    manage("load_reference_data", env=env)
    manage("load_demo_data", env=env)
    ports = free_port(), free_port()
    processes = [
        start(
            ["celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
            env,
            "servers-worker.log",
        )
    ]
    for number, port in enumerate(ports, start=1):
        processes.append(
            start(
                ["gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                env,
                f"servers-gunicorn-{number}.log",
            )
        )
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            wait_until(
                lambda base=base: requests.get(f"{base}/readyz", timeout=5).status_code == 200,
                f"{base} to be ready",
            )
        print(f"Server 1 {bases[0]}, server 2 {bases[1]}, one worker; Redis {args.redis_url}")
        passed = checks(*bases)
    finally:
        for process in processes:
            stop_gunicorn(process)
    print("All checks passed." if passed else "Some checks FAILED.")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
