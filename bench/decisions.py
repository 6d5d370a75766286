"""Real-time decisions (issue 13): what screening costs a terminal, and what a Redis outage does.

1. single signed reports through gunicorn (2 sync workers) with every check on and the state in
   Redis, beside the bare ``GET /healthz`` view and the same reports with screening switched off
   (``DECISIONS_SCREENING=false``) in the same run; the screening time of those reports, p50 /
   p99, from their stored decisions (``Decision.duration_us``); and the latency screening adds:
   550 reports sent one at a time with screening on and off (under load a request also waits
   behind others, which the on − off difference of the loaded runs includes);
2. the same with the screening Redis killed half-way through: no error, no lost report, and how
   many decisions fell back to the database;
3. batches of 5,000 through the batch endpoint with decisions, with the screening Redis up (before
   the kill) and down (after it), beside a raw ``COPY`` of the same number of rows, committed
   (the best of three runs). Each batch run and each COPY starts on a fresh checkpoint.

The screening Redis is a private ``redis-server`` on port 6391 (nothing else uses it), so killing
it touches no other process.

    uv run python bench/decisions.py [REQUESTS] [CLIENT_THREADS] [BATCH_ROWS]   (default 3000 4 50000)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import common

REDIS_PORT = 6391
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ["DECISIONS_REDIS_URL"] = REDIS_URL
common.setup_django()

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
BATCH_ROWS = int(sys.argv[3]) if len(sys.argv) > 3 else 50_000
BATCH = 5000
LONE_REQUESTS = 550


def live_reports(terminal, n: int) -> list[dict]:
    """Reports of sales happening now, as a terminal reports them in real time (a millisecond
    apart from the moment they are made, before they are sent)."""
    from django.utils import timezone

    return common.make_reports(terminal, n, base=timezone.now())


class Redis:
    """A private redis-server for the screening state.

    In service, Redis has held the state for longer than the longest window; a fresh one knows
    only the reports since it started, and the screening rightly reads the windows that began
    before from the database. The benchmark starts it as in service: its state complete since a
    day ago (true here: every run's merchants and terminals are new).
    """

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        import redis

        redis.Redis.from_url(REDIS_URL).set("dec:since", f"{time.time() - 86_400:.6f}")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


def quantiles(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100)
    return q[49], q[98]


def run_singles(
    server: common.Gunicorn,
    key_id: str,
    secret: str,
    bodies: list[bytes],
    *,
    kill_redis_after: int | None = None,
    redis: Redis | None = None,
    threads: int | None = None,
):
    path = "/api/v1/terminal/reports/"
    statuses: list[int] = []

    def one(i: int) -> float:
        if kill_redis_after is not None and i == kill_redis_after and redis is not None:
            redis.kill()
        request = common.signed_request(server.url, path, key_id, secret, bodies[i])
        start = time.perf_counter()
        status, _body = common.send(request)
        statuses.append(status)
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads or THREADS) as pool:
        latencies = list(pool.map(one, range(len(bodies))))
    return time.perf_counter() - start, latencies, statuses


def alone(server: common.Gunicorn, tag: str) -> list[float]:
    """Latencies of LONE_REQUESTS reports sent one at a time: what the request itself takes,
    without waiting behind others (the added latency of screening is measured this way)."""
    terminal, key_id, secret = common.make_terminal(tag)
    bodies = [common.dumps(r) for r in live_reports(terminal, LONE_REQUESTS)]
    run_singles(server, key_id, secret, bodies[:50], threads=1)  # the worker warmed up
    return run_singles(server, key_id, secret, bodies[50:], threads=1)[1]


def run_bare(server: common.Gunicorn) -> tuple[float, list[float]]:
    def one(_i: int) -> float:
        start = time.perf_counter()
        status, _body = common.send(urllib.request.Request(server.url + "/healthz"))
        assert status == 200
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        latencies = list(pool.map(one, range(REQUESTS)))
    return time.perf_counter() - start, latencies


def screening_micros(terminal) -> list[float]:
    from transactions.models import Decision

    return [
        d / 1000
        for d in Decision.objects.filter(terminal=terminal).values_list("duration_us", flat=True)
    ]


def fallbacks(terminal) -> int:
    from transactions.models import Decision, StateSource

    return Decision.objects.filter(terminal=terminal, state_source=StateSource.FALLBACK).count()


def sources(terminal) -> dict[str, int]:
    """Where the screening state of the terminal's decisions came from: Redis, the database
    (a window older than what Redis holds) or the fallback (Redis unreachable)."""
    from django.db.models import Count

    from transactions.models import Decision

    rows = Decision.objects.filter(terminal=terminal).values_list("state_source")
    return dict(rows.annotate(n=Count("*")).order_by("state_source"))


COPY_RUNS = 3


def raw_copy_rates() -> list[float]:
    """Rows per second of a plain COPY of as many reports, committed as the endpoint's are (a
    COPY rolled back skips the foreign-key checks deferred to the commit, and the commit); run
    COPY_RUNS times on fresh rows, as one run can meet a checkpoint. The best is the baseline."""
    from django.db import transaction

    rates = []
    for run in range(COPY_RUNS):
        terminal, _key, _secret = common.make_terminal(f"decisions-copy-{run}")
        rows = live_reports(terminal, BATCH_ROWS)
        common.checkpoint()
        with transaction.atomic():
            seconds = common.raw_copy(terminal, rows)
            start = time.perf_counter()
        rates.append(len(rows) / (seconds + time.perf_counter() - start))
    return rates


def run_batches(server: common.Gunicorn, key_id: str, secret: str, rows: list[dict]) -> float:
    path = "/api/v1/terminal/reports/batch/"
    bodies = [common.dumps({"reports": rows[i : i + BATCH]}) for i in range(0, len(rows), BATCH)]
    common.checkpoint()

    def one(body: bytes) -> None:
        status, answer = common.send(common.signed_request(server.url, path, key_id, secret, body))
        assert status == 200, (status, answer[:300])

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, bodies))
    return len(rows) / (time.perf_counter() - start)


def unscreened() -> tuple[float, list[float], list[int], float, float, list[float]]:
    """Single reports and batches on a server with screening off: what reporting costs alone."""
    os.environ["DECISIONS_SCREENING"] = "false"
    server = common.Gunicorn(port=8798)
    try:
        terminal, key_id, secret = common.make_terminal("unscreened")
        bodies = [common.dumps(r) for r in live_reports(terminal, REQUESTS)]
        total, latencies, statuses = run_singles(server, key_id, secret, bodies)
        lone = alone(server, "unscreened-alone")
        batch_terminal, batch_key, batch_secret = common.make_terminal("unscreened-batch")
        rows = live_reports(batch_terminal, BATCH_ROWS)
        batch_rate = run_batches(server, batch_key, batch_secret, rows)
    finally:
        server.stop()
        del os.environ["DECISIONS_SCREENING"]
    return total, latencies, statuses, REQUESTS / total, batch_rate, lone


def main() -> None:
    from transactions.decisions.inputs import ensure_checks
    from transactions.models import Report

    ensure_checks()
    plain_total, plain_latencies, plain_statuses, plain_rate, plain_batch_rate, plain_lone = (
        unscreened()
    )
    redis = Redis()
    server = common.Gunicorn()
    try:
        common.send(urllib.request.Request(server.url + "/healthz"))
        bare = run_bare(server)

        terminal, key_id, secret = common.make_terminal("decisions")
        bodies = [common.dumps(r) for r in live_reports(terminal, REQUESTS)]
        total, latencies, statuses = run_singles(server, key_id, secret, bodies)
        screening = screening_micros(terminal)
        lone = alone(server, "decisions-alone")

        batch_terminal, batch_key, batch_secret = common.make_terminal("decisions-batch")
        batch_rows = live_reports(batch_terminal, BATCH_ROWS)
        batch_rate = run_batches(server, batch_key, batch_secret, batch_rows)
        batch_sources = sources(batch_terminal)

        down_terminal, down_key, down_secret = common.make_terminal("decisions-down")
        down_rows = live_reports(down_terminal, REQUESTS)
        down_total, down_latencies, down_statuses = run_singles(
            server,
            down_key,
            down_secret,
            [common.dumps(r) for r in down_rows],
            kill_redis_after=REQUESTS // 2,
            redis=redis,
        )
        stored_down = Report.objects.filter(terminal=down_terminal).count()
        down_screening = screening_micros(down_terminal)

        down_batch_terminal, down_batch_key, down_batch_secret = common.make_terminal(
            "decisions-batch-down"
        )
        down_batch_rows = live_reports(down_batch_terminal, BATCH_ROWS)
        down_batch_rate = run_batches(server, down_batch_key, down_batch_secret, down_batch_rows)
        down_batch_sources = sources(down_batch_terminal)
        copy_rates = raw_copy_rates()
        copy_rate = max(copy_rates)
    finally:
        server.stop()
        if redis.process.poll() is None:
            redis.kill()

    def line(name, seconds, lat, ok):
        p50, p99 = quantiles(lat)
        return (
            f"{name:<44} {len(lat) / seconds:>7,.0f} req/s  p50 {p50 * 1000:5.1f} ms  "
            f"p99 {p99 * 1000:5.1f} ms  errors {len(lat) - ok}/{len(lat)}"
        )

    print(
        f"{REQUESTS} requests, {THREADS} client threads, gunicorn 2 sync workers, PostgreSQL, "
        f"screening state in Redis; load average {os.getloadavg()[0]:.2f}"
    )
    print(line("GET /healthz (bare view)", *bare, REQUESTS))
    plain_ok = sum(s == 201 for s in plain_statuses)
    print(line("POST one report, screening off", plain_total, plain_latencies, plain_ok))
    print(f"  reports / bare view: {plain_rate / (REQUESTS / bare[0]):.0%}")
    print(
        line("POST one report, every check on", total, latencies, sum(s == 201 for s in statuses))
    )
    single_rate = REQUESTS / total
    print(f"  reports / bare view: {single_rate / (REQUESTS / bare[0]):.0%}")
    on, off = quantiles(latencies), quantiles(plain_latencies)
    print(
        f"  added latency (on − off): p50 {(on[0] - off[0]) * 1000:.1f} ms  "
        f"p99 {(on[1] - off[1]) * 1000:.1f} ms"
    )
    p50, p99 = quantiles(screening)
    print(f"  screening time: p50 {p50:.2f} ms  p99 {p99:.2f} ms  ({len(screening)} decisions)")
    on, off = quantiles(lone), quantiles(plain_lone)
    print(
        f"  one request at a time ({len(lone)} each): off p50 {off[0] * 1000:.1f} ms "
        f"p99 {off[1] * 1000:.1f} ms, on p50 {on[0] * 1000:.1f} ms p99 {on[1] * 1000:.1f} ms; "
        f"added p50 {(on[0] - off[0]) * 1000:.1f} ms  p99 {(on[1] - off[1]) * 1000:.1f} ms"
    )
    print(
        line(
            "POST one report, Redis killed half-way",
            down_total,
            down_latencies,
            sum(s == 201 for s in down_statuses),
        )
    )
    p50, p99 = quantiles(down_screening)
    print(
        f"  stored {stored_down}/{REQUESTS}; decisions that fell back to the database: "
        f"{fallbacks(down_terminal)}; screening time p50 {p50:.2f} ms  p99 {p99:.2f} ms"
    )
    print(
        f"batches of {BATCH}: with decisions {batch_rate:,.0f} rows/s "
        f"({batch_rate / copy_rate:.0%} of COPY; state {batch_sources}), "
        f"Redis down {down_batch_rate:,.0f} rows/s ({down_batch_rate / copy_rate:.0%}; state "
        f"{down_batch_sources}), screening off {plain_batch_rate:,.0f} rows/s "
        f"({plain_batch_rate / copy_rate:.0%}), raw COPY {copy_rate:,.0f} rows/s (best of "
        f"{', '.join(f'{rate:,.0f}' for rate in copy_rates)})"
    )


if __name__ == "__main__":
    main()
