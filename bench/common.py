"""What the bench scripts share: Django set-up, the generated data's users and quarter,
API tokens, percentiles and a description of the machine."""

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def setup():
    import logging

    import django

    django.setup()
    # In-process requests would log a line each: keep the figures readable.
    logging.getLogger("register.access").setLevel(logging.WARNING)


def bench_users():
    from accounts.models import User

    from .generate import COORDINATOR, LIAISON, VIEWER

    return {
        "coordinator": User.objects.get(email=COORDINATOR),
        "liaison": User.objects.get(email=LIAISON),
        "viewer": User.objects.get(email=VIEWER),
    }


def bench_programme():
    from programme.models import Programme

    from .generate import PROGRAMME_CODE

    programme = Programme.objects.filter(code=PROGRAMME_CODE).first()
    if programme is None:
        raise SystemExit("No bench data here: run bench/generate.py first.")
    return programme


def open_quarter():
    """The generated programme's current (open) quarter: the one being reported on."""
    return bench_programme().quarters.filter(status="open").order_by("-year", "-quarter").first()


def api_token(user, name="bench"):
    from accounts.models import ApiToken

    _token, key = ApiToken.objects.create(user=user, name=name)
    return key


def percentiles(samples):
    ordered = sorted(samples)
    if not ordered:
        return {"p50": None, "p95": None, "p99": None}

    def pick(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99)}


def elapsed_ms(run):
    """Milliseconds one call of ``run`` takes."""
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def timed(run, repeat):
    """Milliseconds of each of ``repeat`` calls of ``run`` (after one warm-up call)."""
    run()
    return [elapsed_ms(run) for _ in range(repeat)]


class QueryLog:
    """Every statement run on a connection while recording, with its parameters and
    time: ``with connection.execute_wrapper(log): ...``. (Django's own query capture
    is reset when a request starts, so it miscounts requests made in a row.)"""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, many, (time.perf_counter() - start) * 1000))

    def __len__(self):
        return len(self.queries)

    def slowest_ms(self):
        return max((q[3] for q in self.queries), default=0.0)


def recorded(run):
    """Run ``run()`` and return (its result, the QueryLog of what it ran)."""
    from django.db import connection

    log = QueryLog()
    with connection.execute_wrapper(log):
        result = run()
    return result, log


def machine():
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    try:
        gunicorn = (
            subprocess.run(
                [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True
            )
            .stdout.strip()
            .removeprefix("gunicorn ")
        )
    except OSError:
        gunicorn = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "postgres": f"{postgres} (shared_buffers {shared_buffers}, same machine)",
        "gunicorn": gunicorn,
        "os": platform.platform(),
        "load": load,
    }
