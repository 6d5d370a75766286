"""A bounded load test: terminals reporting and merchants on their dashboard, at once.

Seeds a PostgreSQL database of its own (``bench_load``; ``BENCH_DB`` / ``BENCH_DATABASE_URL`` to
change) with terminals, their keys, a merchant owner and a month of history for the dashboard;
starts gunicorn (2 sync workers) on 127.0.0.1; runs locust headless (``bench/locustfile.py``) for
a fixed time; prints sustained requests/s, reports/s, error rate and p50 / p95 per request, and
checks that every report the server acknowledged is stored, once.

    uv run python bench/load.py [--users 20] [--spawn-rate 5] [--time 60]

Everything stays on 127.0.0.1 and stops by itself after ``--time`` seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"


def run_locust(
    *, host: str, config: dict[str, Any], users: int, spawn_rate: float, seconds: int, tag: str
) -> dict[str, Any]:
    """Run locust headless against ``host`` for ``seconds``; return its figures (see summarize)."""
    OUT.mkdir(parents=True, exist_ok=True)
    config_path = OUT / f"{tag}.json"
    config_path.write_text(json.dumps(config))
    prefix = OUT / tag
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOAD_CONFIG": str(config_path)}
    log = OUT / f"{tag}.log"
    with log.open("wb") as out:
        # Bounded: locust stops itself after `seconds`; the timeout only guards a hang.
        subprocess.run(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120
        )
    figures = summarize(Path(f"{prefix}_stats.csv"), batch_size=config.get("batch_size", 100))
    figures["log"] = str(log)
    return figures


def summarize(stats_csv: Path, *, batch_size: int) -> dict[str, Any]:
    """Sustained figures from locust's stats CSV (logins excluded: they happen once per user)."""
    rows = list(csv.DictReader(stats_csv.open()))
    endpoints = {
        row["Name"]: row
        for row in rows
        if row["Name"] != "Aggregated" and "login" not in row["Name"]
    }
    total = sum(int(r["Request Count"]) for r in endpoints.values())
    failures = sum(int(r["Failure Count"]) for r in endpoints.values())
    aggregated = next(row for row in rows if row["Name"] == "Aggregated")
    seconds = int(aggregated["Request Count"]) / max(float(aggregated["Requests/s"]), 1e-9)
    reports = 0
    for name, row in endpoints.items():
        ok = int(row["Request Count"]) - int(row["Failure Count"])
        if name == "POST report":
            reports += ok
        elif name.startswith("POST batch"):
            reports += ok * batch_size
    per_endpoint = {
        name: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(int(row["Request Count"]) / seconds, 1),
            "p50_ms": _number(row["50%"]),
            "p95_ms": _number(row["95%"]),
        }
        for name, row in sorted(endpoints.items())
    }
    return {
        "seconds": round(seconds, 1),
        "requests": total,
        "failures": failures,
        "error_rate": failures / total if total else 0.0,
        "rps": round(total / seconds, 1),
        "reports_acknowledged": reports,
        "reports_per_s": round(reports / seconds, 1),
        "p50_ms": _number(aggregated["50%"]),
        "p95_ms": _number(aggregated["95%"]),
        "endpoints": per_endpoint,
    }


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def print_figures(figures: dict[str, Any], *, title: str) -> None:
    print(title)
    print(
        f"{'request':<22} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    )
    for name, f in figures["endpoints"].items():
        print(
            f"{name:<22} {f['requests']:>9} {f['failures']:>9} {f['rps']:>8} "
            f"{f['p50_ms'] or 0:>8.0f} {f['p95_ms'] or 0:>8.0f}"
        )
    print(
        f"{'all':<22} {figures['requests']:>9} {figures['failures']:>9} {figures['rps']:>8} "
        f"{figures['p50_ms'] or 0:>8.0f} {figures['p95_ms'] or 0:>8.0f}"
    )
    print(
        f"sustained over {figures['seconds']} s: {figures['rps']} requests/s, "
        f"{figures['reports_per_s']} reports/s, error rate {figures['error_rate']:.2%}"
    )


def seed(*, terminals: int, history_days: int, per_day: int) -> dict[str, Any]:
    """Terminals with keys, and an owner of the first merchant with a month of history."""
    import uuid
    from datetime import timedelta

    import common
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from merchants.models import Membership, Role
    from transactions.ingest.services import report_ingest_batch

    made = [common.make_terminal("load") for _ in range(terminals)]
    first = made[0][0]
    now = timezone.now()
    for day in range(1, history_days + 1):
        rows = common.make_reports(first, per_day, start=day * per_day)
        for i, row in enumerate(rows):
            at = now - timedelta(days=day, minutes=(i * 997) % 1440)
            row["occurred_at"] = at.isoformat()
        report_ingest_batch(terminal=first, raws=rows)
    username, password = f"load-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    user = get_user_model().objects.create_user(username=username, password=password)
    Membership.objects.create(user=user, merchant=first.merchant, role=Role.OWNER)
    return {
        "terminals": [
            {
                "key": key,
                "secret": secret,
                "tid": t.tid,
                "mid": t.merchant.mid,
                "mcc": t.merchant.mcc,
                "pk": t.pk,
            }
            for t, key, secret in made
        ],
        "username": username,
        "password": password,
        "batch_size": 100,
        "acknowledged_path": str(OUT / "load-acknowledged.txt"),
    }


def acknowledged_stored(path: Path) -> dict[str, int]:
    """Of the report ids the server acknowledged: how many are stored, lost, stored twice."""
    from django.db.models import Count

    from transactions.models import Report

    ids = [line for line in path.read_text().splitlines() if line] if path.exists() else []
    stored = duplicated = 0
    for start in range(0, len(ids), 5000):
        counts = (
            Report.objects.filter(report_id__in=ids[start : start + 5000])
            .values("report_id")
            .annotate(n=Count("id"))
            .values_list("n", flat=True)
        )
        for n in counts:
            stored += 1
            duplicated += n - 1
    return {
        "acknowledged": len(ids),
        "stored": stored,
        "lost": len(set(ids)) - stored,
        "duplicated": duplicated,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--time", type=int, default=60, help="seconds of load")
    parser.add_argument("--terminals", type=int, default=10)
    parser.add_argument("--history-days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--port", type=int, default=8798)
    args = parser.parse_args()

    os.environ.setdefault("BENCH_DB", "bench_load")
    sys.path.insert(0, str(ROOT / "bench"))
    import common

    common.setup_django()
    config = seed(terminals=args.terminals, history_days=args.history_days, per_day=args.per_day)
    Path(config["acknowledged_path"]).unlink(missing_ok=True)
    # Plain HTTP on localhost: the session and CSRF cookies must not be marked secure.
    os.environ.update({"SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"})
    server = common.Gunicorn(port=args.port)
    try:
        figures = run_locust(
            host=server.url,
            config=config,
            users=args.users,
            spawn_rate=args.spawn_rate,
            seconds=args.time,
            tag="load",
        )
    finally:
        server.stop()
    load_average = os.getloadavg()[0]  # the machine is shared: say how busy it was
    check = acknowledged_stored(Path(config["acknowledged_path"]))
    print_figures(
        figures,
        title=f"{args.users} users (terminals : merchants 3 : 1, {args.terminals} terminals), "
        f"{args.time} s, gunicorn 2 sync workers, PostgreSQL",
    )
    print(f"load average (1 min) at the end: {load_average:.1f} on {os.cpu_count()} CPUs")
    print(
        f"reports acknowledged {check['acknowledged']}: stored {check['stored']}, "
        f"lost {check['lost']}, duplicated {check['duplicated']}"
    )

    from tests.reliability.scoreboard import record

    note = f"bench/load.py, {args.users} users, {args.time} s, load average {load_average:.1f}"
    record("load", "sustained requests/s", figures["rps"], note=note)
    record("load", "sustained reports/s", figures["reports_per_s"], note=note)
    record("load", "requests", figures["requests"], note=note)
    record("load", "error rate", f"{figures['error_rate']:.2%}", note=note)
    record("load", "p50 / p95 ms (all requests)", f"{figures['p50_ms']} / {figures['p95_ms']}")
    record(
        "load", "failed requests (5xx or other unexpected answers)", figures["failures"], note=note
    )
    for name, f in figures["endpoints"].items():
        record("load", f"{name}: req/s, p50 / p95 ms", f"{f['rps']}, {f['p50_ms']} / {f['p95_ms']}")
    record("load", "reports acknowledged", check["acknowledged"], note=note)
    record("load", "acknowledged reports lost", check["lost"], note=note)
    record("load", "acknowledged reports duplicated", check["duplicated"], note=note)


if __name__ == "__main__":
    main()
