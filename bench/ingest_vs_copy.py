"""Batch ingestion through the real HTTP endpoint vs a raw COPY vs DRF ModelSerializer per row.

Same rows, same table, one run, on PostgreSQL:
  A. raw psycopg COPY of the rows into transactions_report (no validation, no idempotency),
     committed; the best of three runs, each, like B, on a fresh checkpoint;
  B. POST /api/v1/terminal/reports/batch/ on gunicorn (2 workers), signed, 5000 rows a request,
     two client threads: decoding, validation, card-data scan, idempotency lookup, COPY;
  C. a plain DRF ModelSerializer validating and saving one row at a time (in-process, no HTTP).

    uv run python bench/ingest_vs_copy.py [ROWS]      (default 100000)
"""

from __future__ import annotations

import hashlib
import sys
import time

import common

common.setup_django()

from django.db import connection  # noqa: E402
from rest_framework import serializers  # noqa: E402

from transactions.models import Report  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BATCH = 5000
DRF_ROWS = min(ROWS, 5000)
COPY_RUNS = 3


def truncate() -> None:
    with connection.cursor() as cursor:
        # Decisions refer to reports by id without a database foreign key: emptied with them.
        cursor.execute(
            "TRUNCATE transactions_report, transactions_decision RESTART IDENTITY CASCADE"
        )


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        exclude = (
            "id",
            "terminal",
            "merchant",
            "received_at",
            "content_hash",
            "source",
            "upload",
            "original_report_id",
        )


def drf_per_row(terminal, rows) -> float:
    start = time.perf_counter()
    for row in rows:
        serializer = ReportSerializer(data=row)
        serializer.is_valid(raise_exception=True)
        serializer.save(
            terminal=terminal,
            merchant=terminal.merchant,
            source="api",
            content_hash=hashlib.sha256(row["report_id"].encode()).hexdigest(),
        )
    return time.perf_counter() - start


def main() -> None:
    terminal, key_id, secret = common.make_terminal("ingest")
    rows = common.make_reports(terminal, ROWS)
    copies = []
    for _run in range(COPY_RUNS):  # one run can meet a checkpoint: the best is the baseline
        truncate()
        common.checkpoint()
        copies.append(common.raw_copy(terminal, rows))
    copy_s = min(copies)
    truncate()
    common.checkpoint()
    http_s = common.http_batches(key_id, secret, rows)
    assert Report.objects.count() == ROWS
    truncate()
    drf_s = drf_per_row(terminal, rows[:DRF_ROWS])
    truncate()
    copy_rate, http_rate, drf_rate = ROWS / copy_s, ROWS / http_s, DRF_ROWS / drf_s
    print(f"rows: {ROWS} (DRF: {DRF_ROWS}), batch size {BATCH}")
    print(
        f"A raw COPY                 {copy_rate:>10,.0f} rows/s  ({copy_s:.2f} s; best of "
        f"{', '.join(f'{s:.2f}' for s in copies)} s)"
    )
    print(f"B HTTP batch endpoint      {http_rate:>10,.0f} rows/s  ({http_s:.2f} s)")
    print(f"C DRF ModelSerializer/row  {drf_rate:>10,.0f} rows/s  ({drf_s:.2f} s)")
    print(f"B / A = {http_rate / copy_rate:.0%}   B / C = {http_rate / drf_rate:.1f}x")


if __name__ == "__main__":
    main()
