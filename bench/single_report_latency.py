"""Single-report requests against a running server (gunicorn, 2 workers) on PostgreSQL.

Throughput and p50 / p99 latency of POST /api/v1/terminal/reports/ (signed, validated, stored),
beside a bare Django JSON view on the same server (GET /healthz: one SELECT 1, a JsonResponse).

    uv run python bench/single_report_latency.py [REQUESTS] [CLIENT_THREADS]   (default 3000 4)
"""

from __future__ import annotations

import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import common

common.setup_django()

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 4


def measure(make_request, expected: set[int]) -> tuple[float, list[float]]:
    def one(i: int) -> float:
        request = make_request(i)
        start = time.perf_counter()
        status, body = common.send(request)
        elapsed = time.perf_counter() - start
        assert status in expected, (status, body[:200])
        return elapsed

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        latencies = list(pool.map(one, range(REQUESTS)))
    return time.perf_counter() - start, latencies


def summary(name: str, total: float, latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return (
        f"{name:<28} {REQUESTS / total:>8,.0f} req/s   p50 {q[49] * 1000:6.1f} ms   "
        f"p99 {q[98] * 1000:6.1f} ms   errors 0/{REQUESTS}"
    )


def main() -> None:
    terminal, key_id, secret = common.make_terminal("latency")
    bodies = [common.dumps(row) for row in common.make_reports(terminal, REQUESTS)]
    server = common.Gunicorn()
    try:
        path = "/api/v1/terminal/reports/"
        common.send(urllib.request.Request(server.url + "/healthz"))  # warm up both workers
        bare = measure(lambda i: urllib.request.Request(server.url + "/healthz"), {200})
        reports = measure(
            lambda i: common.signed_request(server.url, path, key_id, secret, bodies[i]), {201}
        )
    finally:
        server.stop()
    print(f"{REQUESTS} requests, {THREADS} client threads, gunicorn 2 sync workers, PostgreSQL")
    print(summary("GET /healthz (bare view)", *bare))
    print(summary("POST one report", *reports))


if __name__ == "__main__":
    main()
