"""Jobs through the real thing: Redis as broker and cache, and a Celery worker process
that this test starts and stops, against the test's PostgreSQL database.

Run with ``make test-worker`` (CI does): it needs PostgreSQL (a worker process cannot
share the in-memory SQLite test database) and Redis at ``TEST_REDIS_URL``, whose
database it empties before and after.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts import roles
from config.celery import HEARTBEAT_KEY
from config.celery import app as celery_app
from reporting.models import ExportJob
from tests.conftest import make_user
from tests.reporting.test_exports import open_quarter_with_work

# Committed rows (the worker reads them from its own connection), restored afterwards.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT = 300  # seconds: a worker's start and a small export, on a busy machine


def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.fail("Set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15): `make test-worker`.")
    return url


def database_url():
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("The worker tests need PostgreSQL: set DATABASE_URL (`make test-worker`).")
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT} s for {what}")


@pytest.fixture
def worker(settings, tmp_path):
    """A Celery worker process on Redis, and this process sending to it."""
    url = redis_url()
    redis.Redis.from_url(url).flushdb()
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "register",  # as the worker's settings name it
        }
    }
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    log = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": url,
        "CELERY_BROKER_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"]
            + ["--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: caches["default"].get(HEARTBEAT_KEY) is not None or process.poll() is not None,
            "the worker's first heartbeat",
        )
        assert process.poll() is None, log.read_text()
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        celery_app.conf.update(broker_url=None, task_always_eager=True)
        redis.Redis.from_url(url).flushdb()
        if process.returncode not in (0, -15):
            print(log.read_text())


def test_a_worker_process_makes_a_national_export_requested_through_the_api(
    worker, coordinator, viewer, track, area_a, area_b, client
):
    quarter = open_quarter_with_work(coordinator, track, area_a, area_b)
    api = APIClient()
    api.force_login(coordinator)

    response = api.post("/api/v1/export-jobs/", {"quarter": quarter.pk, "format": "xlsx"})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"  # not made in this process
    url = response["Location"]

    wait_for(lambda: api.get(url).json()["status"] in ("done", "failed"), "the export")
    job = api.get(url).json()
    assert job["status"] == "done", job["error"]
    assert job["progress"] == 100

    download = api.get(job["download"])
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    found = {str(cell) for sheet in book for row in sheet.values for cell in row}
    assert {"Werk in Gebied A", "Werk in Gebied B"} <= found
    assert ExportJob.objects.get().user == coordinator

    other = APIClient()
    other.force_login(make_user("coordinator-2@example.org", roles.COORDINATOR))
    assert other.get(url).status_code == 404
    assert other.get(job["download"]).status_code == 404

    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


def test_readyz_answers_503_once_the_worker_is_gone(worker, client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = 1
    worker.terminate()
    worker.wait(timeout=30)
    wait_for(lambda: client.get("/readyz").status_code == 503, "the heartbeat to age")
    assert client.get("/readyz").json()["checks"]["worker"].startswith("failed")
