"""Locust users for bench/api_latency.py (run headless by it; not on its own).

BENCH_TOKEN is the API token, BENCH_PATHS the paths to request (separated by '|'),
taken in turn by each user, without waiting between requests, for BENCH_DURATION
seconds from the start of the test (locust's own --run-time also counts its start-up).
"""

import itertools
import os
import random

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

PATHS = os.environ.get("BENCH_PATHS", "/api/v1/interventions/").split("|")
NAME = os.environ.get("BENCH_NAME", "request")
DURATION = float(os.environ.get("BENCH_DURATION", "30"))


@events.test_start.add_listener
def stop_after_duration(environment, **_kwargs):
    def stop():
        gevent.sleep(DURATION)
        environment.runner.quit()

    gevent.spawn(stop)


class ApiClient(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.headers = {"Authorization": f"Token {os.environ['BENCH_TOKEN']}"}
        start = random.Random(id(self)).randrange(len(PATHS))
        self.paths = itertools.islice(itertools.cycle(PATHS), start, None)

    @task
    def get(self):
        self.client.get(next(self.paths), headers=self.headers, name=NAME)
