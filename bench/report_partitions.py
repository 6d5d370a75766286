"""What the partitioned report table (docs/partitions.md) changes for ingestion, on PostgreSQL.

The same rows COPYed, each time in a transaction that is rolled back:
  A. into a plain table made like the reports before partitioning (same columns and indexes,
     UNIQUE (report_id, terminal_id)), as migration 0023 found it;
  B. into the partitioned transactions_report: partition routing, one more index per report
     (transactions_report_key, filled by the insert trigger);
and the duplicate look-up of ingestion's store (a chunk of 900 ids) against each.

    uv run python bench/report_partitions.py 50000
"""

from __future__ import annotations

import statistics
import sys
import time

from common import make_reports, make_terminal, report_tuple, setup_django

ROUNDS = 3


def main(n: int) -> None:
    setup_django()
    from django.db import connection, transaction

    from transactions.ingest.store import COLUMNS

    terminal, _, _ = make_terminal("partitions")
    rows = [report_tuple(terminal, r) for r in make_reports(terminal, n)]
    ids = [r[2] for r in rows[:900]]
    columns = ", ".join(COLUMNS)

    def copy_into(table: str) -> float:
        start = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return time.perf_counter() - start

    def lookup(sql: str) -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids, terminal.pk])
            assert len(cursor.fetchall()) == len(ids)
        return time.perf_counter() - start

    figures: dict[str, list[float]] = {
        "plain": [],
        "partitioned": [],
        "plain look-up": [],
        "key look-up": [],
    }
    for _ in range(ROUNDS):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE bench_plain_report (LIKE transactions_report INCLUDING DEFAULTS "
                    "INCLUDING INDEXES)"
                )
                cursor.execute("ALTER TABLE bench_plain_report ADD UNIQUE (report_id, terminal_id)")
            figures["plain"].append(copy_into("bench_plain_report"))
            figures["plain look-up"].append(
                lookup(
                    "SELECT report_id, content_hash, upload_id FROM bench_plain_report "
                    "WHERE report_id = ANY(%s) AND terminal_id = %s"
                )
            )
            transaction.set_rollback(True)
        with transaction.atomic():
            figures["partitioned"].append(copy_into("transactions_report"))
            figures["key look-up"].append(
                lookup(
                    "SELECT report_id, content_hash, upload_id FROM transactions_report_key "
                    "WHERE report_id = ANY(%s) AND terminal_id = %s"
                )
            )
            transaction.set_rollback(True)
    for name, seconds in figures.items():
        best, median = min(seconds), statistics.median(seconds)
        rate = (
            f"{n / best:,.0f} rows/s"
            if "look-up" not in name
            else f"{best * 1000:.1f} ms / 900 ids"
        )
        print(f"{name:15} best {best:.3f} s  median {median:.3f} s  ({rate})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
