"""The Celery application: background jobs and the scheduled work of the register.

Its settings are the ``CELERY_*`` names in config/settings.py, read from the
environment. Without a broker (``make run``, the default tests) every task runs
in-process at the moment it is sent, so nothing extra has to run.

Start the workers and the one scheduler of a deployment with::

    celery -A config worker --loglevel INFO
    celery -A config beat --loglevel INFO

A worker says it is alive by writing the time into the shared cache with each of its
event heartbeats; ``/readyz`` reads it back (config/health.py).
"""

import os
import time

from celery import Celery
from celery.signals import heartbeat_sent, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("register")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_KEY = "worker-heartbeat"
# Celery beats every 2 seconds; the cache needs to hear of it far less often.
HEARTBEAT_EVERY = 10
_last_written = 0.0


def record_heartbeat(**kwargs):
    """Write the time of this worker's latest heartbeat into the shared cache."""
    global _last_written
    now = time.time()
    if now - _last_written < HEARTBEAT_EVERY and not kwargs.get("force"):
        return
    from django.core.cache import cache

    cache.set(HEARTBEAT_KEY, now, timeout=None)
    _last_written = now


@worker_ready.connect
def _worker_ready(**kwargs):
    record_heartbeat(force=True)


@heartbeat_sent.connect
def _heartbeat_sent(**kwargs):
    record_heartbeat()
