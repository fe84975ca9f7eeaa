"""``/healthz`` and ``/readyz`` for a load balancer, answered before anything else.

``/healthz``: the process is alive and answers (200, no database). ``/readyz``: it can
serve, so the balancer may send it traffic: the database answers, Redis answers when it
is configured, and when jobs go to a broker, a worker has sent its heartbeat recently
(config/celery.py). Any of them missing: 503, with what is missing in the body.

Answered by a middleware at the top, not a view: a balancer probes by address (no
allowed host), over plain HTTP (no redirect to HTTPS), without a session, and its
probes every few seconds would only fill the access log.
"""

import logging
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from .celery import HEARTBEAT_KEY

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """A failed check whose message may be shown: it names no host or setting."""


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis():
    for url in {settings.REDIS_URL, settings.CELERY_BROKER_URL}:
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            try:
                client.ping()
            finally:
                client.close()


def _worker():
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        raise NotReady("no worker heartbeat")
    age = time.time() - beat
    if age > settings.WORKER_HEARTBEAT_MAX_AGE:
        raise NotReady(f"latest worker heartbeat {age:.0f} s ago")


def readiness():
    """Each check's name and "ok" or what is wrong."""
    checks = {"database": _database}
    if settings.REDIS_URL or not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["redis"] = _redis
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["worker"] = _worker
    results = {}
    for name, check in checks.items():
        try:
            check()
        except NotReady as error:
            results[name] = f"failed: {error}"
        except Exception as error:  # any failure means: not ready
            # The balancer hears only what kind of failure; the log has the rest.
            logger.warning("readiness check %s failed: %r", name, error)
            results[name] = f"failed: {type(error).__name__}"
        else:
            results[name] = "ok"
    return results


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "alive"})
        if request.path == "/readyz":
            results = readiness()
            ready = all(result == "ok" for result in results.values())
            return JsonResponse(
                {"status": "ready" if ready else "not ready", "checks": results},
                status=200 if ready else 503,
            )
        return self.get_response(request)
