"""Ingesting 1,000,000 reports keeps memory flat.

Batches of 5000 go through the same service the batch endpoint uses (decode aside), in-process,
into PostgreSQL; the peak resident set size is printed as the count grows.

    uv run python bench/ingest_memory.py [ROWS]      (default 1000000)
"""

from __future__ import annotations

import resource
import sys
import time

import common

common.setup_django()

from django.db import connection  # noqa: E402

from transactions.ingest.services import report_ingest_batch  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
BATCH = 5000
CHECKPOINTS = {100_000, 250_000, 500_000, 750_000, 1_000_000, ROWS}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    terminal, _key, _secret = common.make_terminal("memory")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE transactions_report RESTART IDENTITY CASCADE")
    print(f"start: peak RSS {peak_rss_mb():.0f} MB")
    start = time.perf_counter()
    done = 0
    while done < ROWS:
        rows = common.make_reports(terminal, min(BATCH, ROWS - done), start=done)
        outcome = report_ingest_batch(terminal=terminal, raws=rows)
        assert outcome.accepted == len(rows), outcome.rejected[:1]
        done += len(rows)
        if done in CHECKPOINTS:
            rate = done / (time.perf_counter() - start)
            print(f"{done:>9,} reports   peak RSS {peak_rss_mb():6.0f} MB   {rate:,.0f} rows/s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM transactions_report")
        print(f"stored: {cursor.fetchone()[0]:,}")
        cursor.execute("TRUNCATE transactions_report RESTART IDENTITY CASCADE")


if __name__ == "__main__":
    main()
