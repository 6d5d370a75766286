# ruff: noqa: S608  (table names come from the models' _meta; every value is a parameter)
"""Matching a settlement file's lines against the reports, set-based, in the database.

Order of the passes (each only looks at lines the earlier ones left):
1. duplicates in the file: a line repeating an earlier one (same TID, RRN, trace, batch, day,
   amount);
2. exact on TID + RRN (the report_rrn index); an amount outside the tolerance is a mismatch;
3. exact on TID + trace + batch within the transaction's day (the terminal/time index);
4. tolerant: same terminal, amount within the acquirer's tolerance, time within its window;
   a line and a report are paired when each is the other's closest candidate (a few rounds);
4b. split settlements: lines of 2–3 that each mismatch one report but together sum to it are
    matched;
5. what is left is settled but not reported; reports of the file's merchants on the file's days
   that no line (of any file) matched are reported but not settled.
Reports already matched by another file's line are never matched again. The SQL is the same on
PostgreSQL and SQLite (both have UPDATE … FROM and window functions) but for time arithmetic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection

from ..models import (
    Outcome,
    ReconciliationItem,
    ReconciliationTotal,
    Report,
    SettlementFile,
    SettlementLine,
)

log = logging.getLogger(__name__)

TOLERANT_ROUNDS = 3
WORK_MEM = "256MB"
SETTLED_TYPES = ("sale", "refund", "preauth_completion")

L = SettlementLine._meta.db_table
R = Report._meta.db_table
ITEM = ReconciliationItem._meta.db_table
TOTAL = ReconciliationTotal._meta.db_table

_UNMATCHED_REPORT = f"NOT EXISTS (SELECT 1 FROM {L} AS taken WHERE taken.report_id = r.id)"
_ON_MATCH = f"""
    report_id = r.id,
    reported_amount = r.amount,
    outcome = CASE WHEN ROUND(ABS(ABS({L}.amount) - r.amount), 2) <= CAST(%s AS NUMERIC)
                   THEN '{Outcome.MATCHED}' ELSE '{Outcome.AMOUNT_MISMATCH}' END
"""


def match_file(*, file: SettlementFile, run_id: int) -> None:
    """Give every line of ``file`` its outcome and write the run's differences and totals."""
    tolerance = file.acquirer.amount_tolerance
    window = int(file.acquirer.time_window_seconds)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The exact pass hash-joins a million lines with a million reports. At the default
            # 4 MB the join spills into batches and the UPDATE then visits the table's pages once
            # per batch: twice as slow on the benchmark (bench/README.md). The run is atomic, so
            # LOCAL ends with it.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        with _step("reset"):
            cursor.execute(
                f"UPDATE {L} SET report_id = NULL, reported_amount = NULL, outcome = '' "
                "WHERE file_id = %s AND outcome <> ''",
                [file.pk],
            )
        with _step("duplicates"):
            _duplicates(cursor, file.pk)
        with _step("tid+rrn"):
            _by_rrn(cursor, file.pk, tolerance)
        with _step("tid+trace+batch"):
            _by_trace(cursor, file.pk, tolerance)
        with _step("tolerant"):
            for _round in range(TOLERANT_ROUNDS):
                if not _tolerant(cursor, file.pk, tolerance, window):
                    break
        with _step("split"):
            _split(cursor, file.pk, tolerance)
        with _step("settled not reported"):
            cursor.execute(
                f"UPDATE {L} SET outcome = %s WHERE file_id = %s AND outcome = ''",
                [Outcome.SETTLED_NOT_REPORTED, file.pk],
            )
        with _step("differences"):
            _items(cursor, file.pk, run_id)
        with _step("totals"):
            _totals(cursor, file.pk, run_id)


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Log each pass's duration: where a slow run spends its time, without a profiler."""
    started = time.perf_counter()
    yield
    log.info("reconciliation %s: %.2f s", name, time.perf_counter() - started)


def _duplicates(cursor: Any, file_id: int) -> None:
    cursor.execute(
        f"""
        UPDATE {L} SET outcome = %s WHERE id IN (
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (
                    PARTITION BY tid, rrn, trace_no, batch_no, day, amount ORDER BY line_no
                ) AS n
                FROM {L} WHERE file_id = %s
            ) AS numbered WHERE n > 1
        )
        """,
        [Outcome.DUPLICATE_IN_FILE, file_id],
    )


def _by_rrn(cursor: Any, file_id: int, tolerance: Decimal) -> None:
    cursor.execute(
        f"""
        UPDATE {L} SET {_ON_MATCH}
        FROM {R} AS r
        WHERE {L}.file_id = %s AND {L}.outcome = '' AND {L}.rrn <> ''
          AND r.rrn = {L}.rrn AND r.terminal_id = {L}.terminal_id AND {_UNMATCHED_REPORT}
        """,
        [tolerance, file_id],
    )


def _by_trace(cursor: Any, file_id: int, tolerance: Decimal) -> None:
    cursor.execute(
        f"""
        UPDATE {L} SET {_ON_MATCH}
        FROM {R} AS r
        WHERE {L}.file_id = %s AND {L}.outcome = '' AND {L}.trace_no <> ''
          AND r.terminal_id = {L}.terminal_id
          AND r.occurred_at >= {L}.day_start AND r.occurred_at < {L}.day_end
          AND r.trace_no = {L}.trace_no AND r.batch_no = {L}.batch_no AND {_UNMATCHED_REPORT}
        """,
        [tolerance, file_id],
    )


def _tolerant(cursor: Any, file_id: int, tolerance: Decimal, window: int) -> int:
    """One round of mutual-closest pairing; returns how many lines it matched."""
    if connection.vendor == "postgresql":
        low = "l.occurred_at - make_interval(secs => %s)"
        high = "l.occurred_at + make_interval(secs => %s)"
        gap = "ABS(EXTRACT(EPOCH FROM (r.occurred_at - l.occurred_at)))"
        bounds = [window, window]
    else:
        low = "datetime(l.occurred_at, %s)"
        high = "datetime(l.occurred_at, %s)"
        gap = "ABS(julianday(r.occurred_at) - julianday(l.occurred_at))"
        bounds = [f"-{window} seconds", f"+{window} seconds"]
    cursor.execute(
        f"""
        WITH candidates AS (
            SELECT l.id AS line_id, r.id AS report_id, r.amount AS amount, {gap} AS gap
            FROM {L} AS l JOIN {R} AS r ON r.terminal_id = l.terminal_id
            WHERE l.file_id = %s AND l.outcome = '' AND l.occurred_at IS NOT NULL
              AND r.occurred_at >= {low} AND r.occurred_at <= {high}
              AND ROUND(ABS(ABS(l.amount) - r.amount), 2) <= CAST(%s AS NUMERIC) AND {_UNMATCHED_REPORT}
        ), ranked AS (
            SELECT line_id, report_id, amount,
                   ROW_NUMBER() OVER (PARTITION BY line_id ORDER BY gap, report_id) AS by_line,
                   ROW_NUMBER() OVER (PARTITION BY report_id ORDER BY gap, line_id) AS by_report
            FROM candidates
        )
        UPDATE {L} SET report_id = ranked.report_id, reported_amount = ranked.amount,
                       outcome = '{Outcome.MATCHED}'
        FROM ranked
        WHERE {L}.id = ranked.line_id AND ranked.by_line = 1 AND ranked.by_report = 1
        """,
        [file_id, *bounds, tolerance],
    )
    return cursor.rowcount


def _split(cursor: Any, file_id: int, tolerance: Decimal) -> None:
    """One report settled in several lines: parts that each mismatch but sum to it are matched.

    The exact passes gave every part the report (and a mismatch: a part is not the whole). When
    the parts of one report sum to its amount within the tolerance, they are matched, and each
    part carries its share as the reported amount (the first part the rest), so that the totals
    of reported amounts count the report once.
    """
    cursor.execute(
        f"""
        WITH parts AS (
            SELECT id, ABS(amount) AS part, reported_amount,
                   SUM(ABS(amount)) OVER (PARTITION BY report_id) AS total,
                   COUNT(*) OVER (PARTITION BY report_id) AS n,
                   ROW_NUMBER() OVER (PARTITION BY report_id ORDER BY line_no) AS k
            FROM {L} WHERE file_id = %s AND outcome = %s
        )
        UPDATE {L} SET outcome = %s,
            reported_amount = CASE WHEN parts.k = 1
                                   THEN parts.reported_amount - (parts.total - parts.part)
                                   ELSE parts.part END
        FROM parts
        WHERE {L}.id = parts.id AND parts.n > 1
          AND ROUND(ABS(parts.total - parts.reported_amount), 2) <= CAST(%s AS NUMERIC)
        """,
        [file_id, Outcome.AMOUNT_MISMATCH, Outcome.MATCHED, tolerance],
    )


def _items(cursor: Any, file_id: int, run_id: int) -> None:
    columns = (
        "run_id, kind, merchant_id, day, line_id, line_no, report_id, tid, rrn, "
        "settled_amount, reported_amount"
    )
    cursor.execute(
        f"""
        INSERT INTO {ITEM} ({columns})
        SELECT %s, outcome, merchant_id, day, id, line_no, report_id, tid, rrn,
               amount, reported_amount
        FROM {L} WHERE file_id = %s AND outcome <> %s
        """,
        [run_id, file_id, Outcome.MATCHED],
    )
    types = ", ".join(["%s"] * len(SETTLED_TYPES))
    cursor.execute(
        f"""
        INSERT INTO {ITEM} ({columns})
        SELECT %s, %s, r.merchant_id, d.day, NULL, NULL, r.id, r.tid, r.rrn, NULL, r.amount
        FROM (SELECT DISTINCT merchant_id, day, day_start, day_end FROM {L}
              WHERE file_id = %s AND merchant_id IS NOT NULL) AS d
        JOIN {R} AS r ON r.merchant_id = d.merchant_id
             AND r.occurred_at >= d.day_start AND r.occurred_at < d.day_end
        WHERE r.type IN ({types}) AND {_UNMATCHED_REPORT}
        """,
        [run_id, Outcome.REPORTED_NOT_SETTLED, file_id, *SETTLED_TYPES],
    )


def _totals(cursor: Any, file_id: int, run_id: int) -> None:
    columns = "run_id, merchant_id, day, outcome, count, settled_amount, reported_amount"
    cursor.execute(
        f"""
        INSERT INTO {TOTAL} ({columns})
        SELECT %s, merchant_id, day, outcome, COUNT(*), SUM(amount), SUM(reported_amount)
        FROM {L} WHERE file_id = %s GROUP BY merchant_id, day, outcome
        UNION ALL
        SELECT %s, merchant_id, day, kind, COUNT(*), NULL, SUM(reported_amount)
        FROM {ITEM} WHERE run_id = %s AND kind = %s GROUP BY merchant_id, day, kind
        """,
        [run_id, file_id, run_id, run_id, Outcome.REPORTED_NOT_SETTLED],
    )
