"""Shared set-up for the benchmarks: a PostgreSQL database of their own, a reporting terminal,
report payloads, signed HTTP requests, and a gunicorn server on localhost."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DB", "bench_portal")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", f"postgres://root@127.0.0.1:5432/{DB_NAME}")


def setup_django() -> None:
    """Point Django at the benchmark database (created and migrated if needed)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "root", DB_NAME], capture_output=True, check=False
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_terminal(tag: str) -> tuple[Any, str, str]:
    """An approved merchant with reporting on and one active terminal; returns (terminal, key id, secret)."""
    from merchants.models import (
        ApplicationStatus,
        Merchant,
        ReportingSettings,
        Terminal,
        TerminalStatus,
    )
    from merchants.terminals.services import terminal_key_issue

    suffix = uuid.uuid4().hex[:6]
    merchant = Merchant.objects.create(
        legal_name=f"Bench {tag} {suffix}",
        short_name=f"bench-{suffix}",
        mcc="5411",
        status=ApplicationStatus.APPROVED,
        mid=f"898{uuid.uuid4().int % 10**12:012d}",
    )
    ReportingSettings.objects.create(merchant=merchant, enabled=True)
    terminal = Terminal.objects.create(
        merchant=merchant,
        serial_number=f"BENCH-{suffix}",
        model_name="bench",
        tid=f"B{uuid.uuid4().int % 10**7:07d}",
        status=TerminalStatus.ACTIVE,
        province="31",
        city="上海市",
        address="bench",
        latitude=Decimal("31.2"),
        longitude=Decimal("121.5"),
    )
    key, secret = terminal_key_issue(terminal=terminal)
    return terminal, key.key_id, secret


def make_reports(
    terminal: Any, n: int, start: int = 0, *, base: datetime | None = None
) -> list[dict[str, Any]]:
    """``n`` valid reports of ``terminal``, a millisecond apart from ``base`` (a day ago)."""
    from django.utils import timezone

    base = base or timezone.now() - timedelta(days=1)
    methods = ["credit_card", "debit_card", "wechat", "alipay", "unionpay_qr"]
    rows = []
    for i in range(start, start + n):
        method = methods[i % 5]
        row = {
            "report_id": str(uuid.uuid4()),
            "occurred_at": (base + timedelta(milliseconds=i)).isoformat(),
            "amount": f"{(i % 99999) / 100 + 1:.2f}",
            "currency": "CNY",
            "type": "sale",
            "method": method,
            "rrn": f"{i % 10**12:012d}",
            "trace_no": f"{i % 10**6:06d}",
            "batch_no": "000001",
            "mcc": "5411",
            "acquirer_mid": terminal.merchant.mid,
            "tid": terminal.tid,
            "lat": 31.2304,
            "lng": 121.4737,
            "cvm": "pin" if method.endswith("card") else "none",
        }
        if method.endswith("card"):
            row["masked_pan"] = f"622848******{i % 10000:04d}"
            row["card_token"] = f"tok{i % 50000}"
        rows.append(row)
    return rows


def signed_request(
    url: str, path: str, key_id: str, secret: str, body: bytes | None
) -> urllib.request.Request:
    from transactions.api.authentication import sign

    ts = str(int(time.time()))
    method = "POST" if body is not None else "GET"
    headers = {
        "X-Terminal-Key": key_id,
        "X-Timestamp": ts,
        "X-Signature": sign(secret, ts, method, path, body or b""),
        "Content-Type": "application/json",
    }
    return urllib.request.Request(url + path, data=body, headers=headers, method=method)


def send(request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Gunicorn:
    """gunicorn with 2 sync workers on 127.0.0.1, production settings, the benchmark database."""

    def __init__(self, port: int = 8799, workers: int = 2) -> None:
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": DATABASE_URL,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "ERROR",
            "CONN_MAX_AGE": "60",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                if send(urllib.request.Request(self.url + "/healthz"))[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def report_tuple(terminal: Any, row: dict[str, Any]) -> tuple:
    """A generated report as a row of COPY, in ``transactions.ingest.store.COLUMNS`` order."""
    return (
        terminal.pk,
        terminal.merchant_id,
        row["report_id"],
        datetime.fromisoformat(row["occurred_at"]),
        datetime.now().astimezone(),
        Decimal(row["amount"]),
        "CNY",
        row["type"],
        row["method"],
        row.get("masked_pan", ""),
        row.get("card_token", ""),
        row["rrn"],
        row["trace_no"],
        row["batch_no"],
        "",
        row["mcc"],
        row["acquirer_mid"],
        row["tid"],
        Decimal("31.230400"),
        Decimal("121.473700"),
        row["cvm"],
        None,
        "api",
        hashlib.sha256(row["report_id"].encode()).hexdigest(),
        None,
    )


def checkpoint() -> None:
    """Start a timed part on a fresh checkpoint: the WAL the last part wrote would otherwise be
    flushed in the middle of this one (every part writes tens of MB)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def raw_copy(terminal: Any, rows: list[dict[str, Any]]) -> float:
    """Seconds to COPY the rows into the report table, with no checks at all (in the caller's
    transaction, if any)."""
    from django.db import connection

    from transactions.ingest.store import COLUMNS

    tuples = [report_tuple(terminal, r) for r in rows]
    statement = f"COPY transactions_report ({', '.join(COLUMNS)}) FROM STDIN"
    start = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for t in tuples:
            copy.write_row(t)
    return time.perf_counter() - start


def http_batches(key_id: str, secret: str, rows: list[dict[str, Any]], batch: int = 5000) -> float:
    """Seconds to POST ``rows`` to the batch endpoint of a fresh gunicorn, ``batch`` a request,
    from two client threads; every row must be accepted."""
    bodies = [dumps({"reports": rows[i : i + batch]}) for i in range(0, len(rows), batch)]
    server = Gunicorn()
    try:
        path = "/api/v1/terminal/reports/batch/"

        def post(body: bytes) -> int:
            status, payload = send(signed_request(server.url, path, key_id, secret, body))
            assert status == 200, payload[:300]
            return json.loads(payload)["accepted"]

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            accepted = sum(pool.map(post, bodies))
        elapsed = time.perf_counter() - start
    finally:
        server.stop()
    assert accepted == len(rows), accepted
    return elapsed


def report_indexes_drop(cursor: Any) -> list[str]:
    """Drop the report table's unique constraint and secondary indexes (the primary key stays);
    return the statements that rebuild them, the constraint first.

    On PostgreSQL's partitioned table the definitions read ``ON ONLY`` (the parent alone, left
    invalid until each partition has its index): they are rebuilt without it, so that each
    statement indexes every partition.
    """
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'transactions_report'::regclass AND contype = 'u'"
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'transactions_report'::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE transactions_report DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [
        f'ALTER TABLE transactions_report ADD CONSTRAINT "{name}" {definition}'
        for name, definition in constraints
    ] + [definition.replace(" ON ONLY ", " ON ") for _name, definition in indexes]
