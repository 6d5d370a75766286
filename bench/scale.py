"""The portal at scale: tens of millions of reports in monthly partitions (issue 17).

    uv run --frozen python bench/scale.py build [--reports 40000000]  # once; about 40 minutes
    uv run --frozen python bench/scale.py pages [-n 50]      # dashboard and report list, p50/p95
    uv run --frozen python bench/scale.py ingest [--rows 100000]   # batches through gunicorn vs COPY
    uv run --frozen python bench/scale.py audit              # incremental audit of 10,000 new reports
    uv run --frozen python bench/scale.py archive            # the oldest month to Parquet and back
    uv run --frozen python bench/scale.py sizes              # what the data set takes on disk

The data set lives in its own database (``BENCH_DB``, default ``bench_scale``): the 2,001 merchants
and 6,020 terminals of ``dashboard.py`` (one big merchant with 20 terminals and 1 report in 25),
and the reports spread evenly over the days of the last 27 Beijing months (the 26 of the hot window and one
that the archive may take), each month's partition made first, loaded by two connections at once
with ``INSERT ... SELECT`` over ``generate_series`` (secondary indexes dropped during the load and
built after it, on every partition), the idempotency keys (``transactions_report_key``) from the
reports, the rollups by ``rollup_rebuild``, then ``VACUUM ANALYZE``.

``pages`` measures through Django's test ``Client`` like ``dashboard.py``; with
``DATABASE_REPLICA_URLS`` set, the same pages read from the replica (the router's choice,
checked by counting the queries each connection ran for one request).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("BENCH_DB", "bench_scale")
os.environ.setdefault("ARCHIVE_ROOT", "/tmp/bench-scale-archive")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import dashboard

MONTHS = 27  # this month and the 25 full months before it (the hot window), and one past it
BIG_EVERY = 25  # one report in 25 is the big merchant's
OTHER_CARDS = 5_000_000


def connect():
    import psycopg

    connection = psycopg.connect(common.DATABASE_URL, autocommit=True)
    connection.execute("SET synchronous_commit = off")
    connection.execute("SET maintenance_work_mem = '512MB'")
    connection.execute("SET max_parallel_maintenance_workers = 0")  # two of our own at once
    return connection


def months_loaded(today: date) -> list[tuple[date, int]]:
    """(first day, days with reports) of each loaded month, oldest first; today has none."""
    from portal.common.beijing import add_months

    this_month = today.replace(day=1)
    out = []
    for back in range(MONTHS - 1, -1, -1):
        month = add_months(this_month, -back)
        days = (add_months(month, 1) - month).days if back else today.day - 1
        if days:
            out.append((month, days))
    return out


def build(total: int) -> None:
    from django.utils import timezone

    from merchants.models import Merchant
    from transactions.analytics.rollups import merchant_days_rebuild, terminal_days_rebuild
    from transactions.partitions.services import partition_create

    if Merchant.objects.filter(short_name=f"{dashboard.TAG}-big").exists():
        print("data set already built (drop the database to build again)")
        return
    started = time.perf_counter()
    dashboard._merchants()
    months = months_loaded(timezone.localdate())
    for month, _days in months:
        partition_create(month=month, actor="bench")
    print(f"merchants, terminals, {len(months)} partitions: {time.perf_counter() - started:.0f} s")

    with connect() as connection:
        rebuild = common.report_indexes_drop(connection.cursor())
        connection.execute(
            "ALTER TABLE transactions_report_key DROP CONSTRAINT transactions_report_key_pkey"
        )
    step = time.perf_counter()
    all_days = sum(days for _month, days in months)
    jobs, first = [], 0
    for month, days in months:
        count = total * days // all_days
        jobs.append((month, days, first, count))
        first += count
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: load_month(*job), jobs))
    print(f"{first:,} reports loaded: {time.perf_counter() - step:.0f} s", flush=True)

    step = time.perf_counter()
    statements = [
        *rebuild[:1],  # the unique constraint first: it locks the table
        "INSERT INTO transactions_report_key (report_id, terminal_id, content_hash, upload_id) "
        "SELECT report_id, terminal_id, content_hash, upload_id FROM transactions_report",
        *rebuild[1:],
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run_timed, statements))
    run_timed(
        "ALTER TABLE transactions_report_key ADD CONSTRAINT transactions_report_key_pkey "
        "PRIMARY KEY (report_id, terminal_id)"
    )
    print(f"indexes and keys: {time.perf_counter() - step:.0f} s", flush=True)

    step = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(in_thread, [terminal_days_rebuild, merchant_days_rebuild]))
    print(f"rollups: {time.perf_counter() - step:.0f} s", flush=True)
    step = time.perf_counter()
    rollups_in_day_order()
    print(f"rollups in day order: {time.perf_counter() - step:.0f} s", flush=True)

    step = time.perf_counter()
    with connect() as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'transactions_report'::regclass"
            )
        ]
        connection.execute("DROP TABLE IF EXISTS dash_bench_terminals")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run_timed, [f"VACUUM ANALYZE {table}" for table in tables]))
    for statement in ("ANALYZE transactions_report", "VACUUM ANALYZE"):
        run_timed(statement)
    print(f"vacuum and analyze: {time.perf_counter() - step:.0f} s")
    print(f"built in {time.perf_counter() - started:.0f} s")
    sizes()


def load_month(month: date, days: int, first: int, count: int) -> None:
    """``count`` reports of the month's first ``days`` days, 07:00-21:00 Beijing mostly."""
    began = time.perf_counter()
    with connect() as connection:
        connection.execute("SET session_replication_role = replica")  # no triggers while loading
        (big_terminals,) = connection.execute(
            "SELECT count(*) FROM dash_bench_terminals WHERE big"
        ).fetchone()
        (other_terminals,) = connection.execute(
            "SELECT count(*) FROM dash_bench_terminals WHERE NOT big"
        ).fetchone()
        connection.execute(
            dashboard.INSERT_GENERATED
            + f"""
            (
                SELECT g, {dashboard.METHOD} AS method,
                    (%(month)s::timestamp + (abs(hashint8(g * 31)) %% %(days)s) * interval '1 day'
                        + interval '7 hours' + (abs(hashint8(g * 7)) %% 50400) * interval '1 second')
                        AT TIME ZONE 'Asia/Shanghai' AS at,
                    g %% %(every)s = 0 AS big,
                    CASE WHEN g %% %(every)s = 0 THEN (g / %(every)s) %% %(big_terminals)s
                         ELSE g %% %(other_terminals)s END AS idx
                FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
            ) s
            JOIN dash_bench_terminals t ON t.big = s.big AND t.idx = s.idx
            """,
            {
                "cards": OTHER_CARDS,
                "month": month,
                "days": days,
                "every": BIG_EVERY,
                "big_terminals": big_terminals,
                "other_terminals": other_terminals,
                "first": first,
                "last": first + count - 1,
            },
        )
    print(f"  {month:%Y-%m}: {count:,} reports ({time.perf_counter() - began:.0f} s)", flush=True)


def rollups_in_day_order() -> None:
    """Lay the rollup tables out by day, as the portal writes them day after day.

    ``rollup_rebuild`` groups by terminal (or merchant) first, so its rows of one day lie spread
    over the whole table; the rules that read the last 30 days of every terminal would then read
    most of the table's pages, which a portal that has kept its rollups as reports arrived never
    does.
    """
    tables = [
        "transactions_terminalday",
        "transactions_merchantday",
        "transactions_merchantdaymix",
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                run_timed,
                [
                    f"CREATE INDEX bench_{table}_day ON {table} (day); "
                    f"CLUSTER {table} USING bench_{table}_day; "
                    f"DROP INDEX bench_{table}_day; ANALYZE {table}"
                    for table in tables
                ],
            )
        )


def run_timed(statement: str) -> None:
    began = time.perf_counter()
    with connect() as connection:
        connection.execute(statement)
    label = re.sub(r"\s+", " ", statement)[:90]
    print(f"  {time.perf_counter() - began:6.0f} s  {label}", flush=True)


def in_thread(function) -> None:
    from django.db import connection

    try:
        began = time.perf_counter()
        function()
        print(f"  {time.perf_counter() - began:6.0f} s  {function.__name__}", flush=True)
    finally:
        connection.close()


def sizes() -> None:
    with connect() as connection:
        (reports,) = connection.execute("SELECT count(*) FROM transactions_report").fetchone()
        rows = connection.execute(
            "SELECT 'reports (heap)', sum(pg_relation_size(c.oid)) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'transactions_report'::regclass "
            "UNION ALL SELECT 'reports (indexes)', sum(pg_indexes_size(c.oid)) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'transactions_report'::regclass "
            "UNION ALL SELECT 'idempotency keys', "
            "pg_total_relation_size('transactions_report_key') "
            "UNION ALL SELECT 'rollups', pg_total_relation_size('transactions_terminalday') "
            "+ pg_total_relation_size('transactions_merchantday') "
            "+ pg_total_relation_size('transactions_merchantdaymix') "
            "+ pg_total_relation_size('transactions_merchantcard') "
            "UNION ALL SELECT 'database', pg_database_size(current_database())"
        ).fetchall()
    print(f"reports: {reports:,}")
    for label, size in rows:
        per = f"{size / reports:6.0f} bytes a report" if reports else ""
        print(f"  {label:20} {size / 2**30:7.2f} GiB  {per}")
    print(subprocess.run(["df", "-h", "/"], capture_output=True, text=True).stdout)


def pages(requests: int) -> None:
    """The dashboard's and report list's p50/p95, and which database served them."""
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{dashboard.TAG}-owner"))
    aliases = [alias for alias in connections.settings if alias.startswith("replica_")]
    for name in ("transactions:dashboard", "transactions:reports"):
        contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in connections}
        for context in contexts.values():
            context.__enter__()
        assert client.get(reverse(name)).status_code == 200
        for context in contexts.values():
            context.__exit__(None, None, None)
        served = ", ".join(f"{alias} {len(c.captured_queries)}" for alias, c in contexts.items())
        print(f"{name}: queries by database: {served}")
    print(f"replicas configured: {aliases or 'none'}")
    with connect() as connection:
        (reports,) = connection.execute("SELECT count(*) FROM transactions_report").fetchone()
    print(f"reports in the database: {reports:,}", flush=True)
    dashboard.measure(requests)


def ingest(rows: int) -> None:
    """Batches of 5,000 through gunicorn into the full table, beside a raw COPY of the same rows."""
    from django.db import connection, transaction

    terminal, key_id, secret = common.make_terminal("scale")
    reports = common.make_reports(terminal, rows)
    with transaction.atomic():
        copy_s = common.raw_copy(terminal, reports)
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM transactions_report")
        (before,) = cursor.fetchone()
    http_s = common.http_batches(key_id, secret, reports)
    print(f"reports in the table before: {before:,}; {rows:,} rows, 5,000 a request")
    print(f"A raw COPY (rolled back)   {rows / copy_s:>10,.0f} rows/s  ({copy_s:.2f} s)")
    print(f"B HTTP batch endpoint      {rows / http_s:>10,.0f} rows/s  ({http_s:.2f} s)")
    print(f"B / A = {copy_s / http_s:.0%}")


def audit(rounds: int, workers: int, new: int = 10_000) -> None:
    """``rounds`` times: ``new`` reports arrive, then the incremental audit runs over them: in this
    process (``workers`` 0, each rule timed), or as beat sends it to ``workers`` Celery worker
    processes on the ``audit`` queue (parts of ``AUDIT_MERCHANTS_PER_PART`` merchants)."""
    import audit_rules
    from django.db import connection
    from django.utils import timezone

    from transactions.audit.runner import audit_run_now
    from transactions.models import AuditRun, RunStatus

    audit_rules.instrument()  # time each rule's query and its alert writing

    now = timezone.now()
    if not AuditRun.objects.filter(status=RunStatus.DONE).exists():
        # The data set as audited up to now: the next run's window starts here.
        AuditRun.objects.create(
            trigger="bench", status=RunStatus.DONE, window_start=now, window_end=now
        )
    with connection.cursor() as cursor:
        # Each run starts from the data set: the increments of earlier runs (batch 999999) go.
        cursor.execute("DELETE FROM transactions_report WHERE batch_no = '999999'")
        cursor.execute("ANALYZE transactions_report_p" + timezone.localdate().strftime("%Y_%m"))
    # The sales happen now, or at the last business minute (the data set's shops are open
    # 07:00-21:00 Beijing): at night they would all be after-hours sales, a day unlike any other.
    local = timezone.localtime()
    anchor = local
    if not (local.replace(hour=8) <= local < local.replace(hour=21, minute=0)):
        day = local.date() if local.hour >= 21 else local.date() - timedelta(days=1)
        anchor = datetime.combine(
            day, datetime.min.time().replace(hour=20, minute=59), local.tzinfo
        )
    timings = []
    for _round in range(rounds):
        # Round r's sales happened in its own quarter of an hour, the rounds one after another
        # like the audit's runs, each new one just before now.
        earlier = (rounds - 1 - _round) * 900
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO transactions_report (
                    terminal_id, merchant_id, report_id, occurred_at, received_at, amount,
                    currency, type, method, masked_pan, card_token, rrn, trace_no, batch_no,
                    auth_code, mcc, acquirer_mid, tid, lat, lng, cvm, source, content_hash
                )
                SELECT t.id, t.merchant_id, gen_random_uuid(),
                    %s::timestamptz - (%s + g %% 900) * interval '1 second', now(),
                    round((1 + random() * 800)::numeric, 2), 'CNY', 'sale',
                    CASE WHEN g %% 2 = 0 THEN 'credit_card' ELSE 'wechat' END,
                    CASE WHEN g %% 2 = 0 THEN '622848******0001' ELSE '' END,
                    CASE WHEN g %% 2 = 0 THEN 'tok' || floor(random() * %s)::text ELSE '' END,
                    lpad(g::text, 12, '0'), lpad((g %% 1000000)::text, 6, '0'), '999999', '',
                    '5411', m.mid, t.tid, 31.230400, 121.473700,
                    CASE WHEN g %% 2 = 0 THEN 'pin' ELSE 'none' END, 'api', md5(random()::text)
                FROM generate_series(1, %s) g
                JOIN LATERAL (SELECT id, merchant_id, tid FROM merchants_terminal
                              WHERE serial_number = 'DB-' || lpad((g %% 6020)::text, 7, '0')) t
                    ON true
                JOIN merchants_merchant m ON m.id = t.merchant_id
                """,
                [anchor, earlier, OTHER_CARDS, new],
            )
            cursor.execute("ANALYZE transactions_report_p" + timezone.localdate().strftime("%Y_%m"))
        audit_rules.TIMES.clear()
        audit_rules.WRITES.clear()
        began = time.perf_counter()
        run = audit_run_now(trigger="bench") if not workers else _audit_by_workers()
        elapsed = time.perf_counter() - began
        timings.append(elapsed)
        findings = sum(run.counts.values()) if run.counts else 0
        print(
            f"round {_round + 1}: {new:,} new reports audited in {elapsed:.3f} s "
            f"({findings} findings, {run.alerts_created} alerts created, "
            f"{run.parts_total} part(s))",
            flush=True,
        )
        for code, seconds in sorted(audit_rules.TIMES.items(), key=lambda item: -item[1]):
            print(
                f"  {code:28} find {seconds * 1000:7.1f} ms  "
                f"alerts {audit_rules.WRITES[code] * 1000:6.1f} ms"
            )
    timings.sort()
    print(f"best {timings[0]:.3f} s, median {timings[len(timings) // 2]:.3f} s")


def _audit_by_workers():
    """Queue a run as beat does and wait for the workers to finish it."""
    from transactions.audit.runner import audit_enqueue
    from transactions.models import AuditRun, RunStatus

    latest = AuditRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    audit_enqueue(trigger="bench")
    for _ in range(1200):
        run = AuditRun.objects.filter(pk__gt=latest).order_by("pk").first()
        if run is not None and run.status != RunStatus.RUNNING:
            assert run.status == RunStatus.DONE, run.error
            return run
        time.sleep(0.02)
    raise RuntimeError("the workers did not finish the run in time")


class Workers:
    """``celery -A portal worker -Q audit -c N`` on the benchmark database, a broker of its own."""

    BROKER = "redis://127.0.0.1:6379/7"

    def __init__(self, concurrency: int) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": common.DATABASE_URL,
            "CELERY_BROKER_URL": self.BROKER,
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                "audit",
                "-c",
                str(concurrency),
                "--loglevel",
                "WARNING",
            ],
            cwd=common.ROOT,
            env=env,
        )
        time.sleep(8)  # the worker's processes connect to the broker

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def archive() -> None:
    """The oldest loaded month (past the hot window) to Parquet, verified, and read back."""
    import resource

    from merchants.models import Merchant
    from transactions.archive.export import archive_month_export
    from transactions.archive.months import last_due_month
    from transactions.archive.selectors import ArchiveQuery, archive_read, archive_search
    from transactions.archive.verify import archive_month_verify
    from transactions.partitions.services import partition_attach, partition_detach

    def rss() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    month = last_due_month()
    began = time.perf_counter()
    archive_month = archive_month_export(month=month)
    export_s = time.perf_counter() - began
    size = sum(f.size_bytes for f in archive_month.files.all())
    print(
        f"export {month:%Y-%m}: {archive_month.row_count:,} reports, "
        f"{archive_month.files.count()} files, {size / 2**20:.1f} MiB, {export_s:.1f} s "
        f"({archive_month.row_count / export_s:,.0f} rows/s), peak RSS {rss():.0f} MB",
        flush=True,
    )
    began = time.perf_counter()
    problems = archive_month_verify(archive_month=archive_month)
    print(f"verify: {len(problems)} problems, {time.perf_counter() - began:.1f} s", flush=True)
    began = time.perf_counter()
    count = sum(1 for _row in archive_read(month=month))
    read_s = time.perf_counter() - began
    print(
        f"read back: {count:,} rows, {read_s:.1f} s ({count / read_s:,.0f} rows/s), "
        f"peak RSS {rss():.0f} MB",
        flush=True,
    )
    # The archive's search leaves out the rows still in the hot table: take the month out of it
    # as the operator would (its partition detached into the archive schema), and back after.
    began = time.perf_counter()
    partition_detach(month=month, actor="bench")
    print(f"partition detached: {time.perf_counter() - began:.2f} s", flush=True)
    big = Merchant.objects.get(short_name=f"{dashboard.TAG}-big")
    for label, query in (
        ("by RRN", ArchiveQuery(rrn="000000000025")),
        ("card last 4", ArchiveQuery(last4="0050")),
        ("first page", ArchiveQuery()),
    ):
        began = time.perf_counter()
        found = archive_search(merchant=big, query=query)
        print(
            f"search the big merchant's archive, {label}: {len(found.rows)} rows, "
            f"{time.perf_counter() - began:.2f} s"
        )
    partition_attach(month=month, actor="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["build", "pages", "ingest", "audit", "archive", "sizes"])
    parser.add_argument("--reports", type=int, default=40_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="audit on N Celery processes")
    args = parser.parse_args()
    if args.step == "pages":
        # Production settings as gunicorn would run them, for the test client's host.
        os.environ.update(
            {
                "DEBUG": "false",
                "ALLOWED_HOSTS": "testserver",
                "SECURE_SSL_REDIRECT": "false",
                "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
                "LOG_LEVEL": "ERROR",
            }
        )
    if args.step == "audit" and args.workers:
        os.environ["CELERY_BROKER_URL"] = Workers.BROKER  # this process queues, they run
    common.setup_django()
    workers = Workers(args.workers) if args.step == "audit" and args.workers else None
    steps = {
        "build": lambda: build(args.reports),
        "pages": lambda: pages(args.n),
        "ingest": lambda: ingest(args.rows),
        "audit": lambda: audit(args.rounds, args.workers),
        "archive": archive,
        "sizes": sizes,
    }
    try:
        steps[args.step]()
    finally:
        if workers is not None:
            workers.stop()


if __name__ == "__main__":
    main()
