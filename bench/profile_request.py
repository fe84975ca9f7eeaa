"""Where one request's time goes: cProfile of the request in-process, and EXPLAIN
ANALYZE of its slowest queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        uv run python bench/profile_request.py "/api/v1/interventions/?status=running" \\
        [--as viewer|coordinator|liaison] [--top 25] [--explain 2]

API paths are requested with the user's API token, other paths with a signed-in session.
"""

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from .common import api_token, bench_users, recorded, setup

HOST = "127.0.0.1"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--as", dest="role", default="viewer")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--explain", type=int, default=2, help="slowest queries to explain")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client

    user = bench_users()[args.role]
    if args.path.startswith("/api/"):
        client = Client(HTTP_AUTHORIZATION=f"Token {api_token(user, 'bench profile')}")
    else:
        client = Client()
        client.force_login(user)

    def get():
        response = client.get(args.path, HTTP_HOST=HOST)
        assert response.status_code == 200, response.status_code
        return response

    get()
    start = time.perf_counter()
    _response, log = recorded(get)
    elapsed = (time.perf_counter() - start) * 1000
    sql = sum(q[3] for q in log.queries)
    print(f"{args.path}: {elapsed:.1f} ms, {len(log)} queries, {sql:.1f} ms of them in SQL")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.repeat):
        get()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(args.top)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"cProfile over {args.repeat} requests:")
    print(out.getvalue())
    slowest = sorted(log.queries, key=lambda q: -q[3])[: args.explain]
    for sql, params, _many, ms in slowest:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"--- EXPLAIN ANALYZE ({ms:.1f} ms when recorded)")
        print(sql[:600] + (" …" if len(sql) > 600 else ""))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
