"""/healthz and /readyz: what a load balancer asks before it sends a server traffic."""

import time

import pytest
from django.core.cache import cache
from django.db import OperationalError

from config import celery as celery_config
from config import health


def test_healthz_answers_without_a_known_host_or_the_database(client):
    # No database access is allowed in this test: any query would fail it.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


@pytest.mark.django_db
def test_readyz_is_ready_with_only_the_database_when_no_broker_is_set(client):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_is_gone(client, monkeypatch):
    def down():
        raise OperationalError("connection to server at 10.0.0.9 refused")

    monkeypatch.setattr(health, "_database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    # The balancer hears what failed, not where the database lives.
    assert response.json()["checks"]["database"] == "failed: OperationalError"
    assert "10.0.0.9" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_answers_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/5"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("failed")
    assert response.json()["checks"]["database"] == "ok"


@pytest.fixture
def with_broker(settings):
    """Jobs go to a broker (an in-memory one: no Redis needed to ask for a worker)."""
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


@pytest.mark.django_db
def test_readyz_wants_a_worker_heartbeat_when_jobs_go_to_a_broker(client, with_broker):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "failed: no worker heartbeat"

    celery_config.record_heartbeat(force=True)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"] == "ok"


@pytest.mark.django_db
def test_readyz_refuses_a_heartbeat_older_than_the_limit(client, with_broker):
    with_broker.WORKER_HEARTBEAT_MAX_AGE = 60
    cache.set(celery_config.HEARTBEAT_KEY, time.time() - 61)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "latest worker heartbeat" in response.json()["checks"]["worker"]


def test_a_worker_writes_its_heartbeat_at_most_every_few_seconds(monkeypatch):
    monkeypatch.setattr(celery_config, "_last_written", 0.0)
    celery_config.record_heartbeat()
    first = cache.get(celery_config.HEARTBEAT_KEY)
    celery_config.record_heartbeat()
    assert cache.get(celery_config.HEARTBEAT_KEY) == first
    assert time.time() - first < 5
