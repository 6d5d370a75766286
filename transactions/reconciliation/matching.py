# ruff: noqa: S608  (table names come from the models' _meta; every value is a parameter)
"""Matching a settlement file's lines against the reports, set-based, in the database.

Order of the passes (each only looks at the lines the earlier ones left, and only at reports of a
compatible type that no line of the same ledger settles yet: see ``clauses``):
1. duplicates in the file: a line identical in every field to an earlier one (times and amounts
   included; parts of a split settlement differ in some field, a line sent twice does not);
2. exact on TID + RRN, one line per report and one report per line: the line whose amount is
   closest (then the earliest line) is matched when within the tolerance; a lone line and a lone
   report with the key are paired whatever the amounts (an amount mismatch);
3. the same on TID + trace + batch within the transaction's day;
4. what is left under either key (``split``): lines that together settle one report (all of them,
   or 2–3 of them) are matched to it; any other line is paired with its closest report under the
   key, matched or an amount mismatch, one to one;
5. tolerant: same terminal, amount within the acquirer's tolerance, time within its window;
   a line and a report are paired when each is the other's closest candidate (a few rounds);
6. what is left is settled but not reported; reports of the file's merchants on the file's days
   that no line of the same ledger settles are reported but not settled (for the acquirer's
   file: of every merchant with reports on those days, and a merchant day without any line in
   the file is flagged as not in it, see ``absent``).
Each pass inserts its decisions as outcome rows (``SettlementLineOutcome``); the lines are never
written again. Passes 1–2 read the file's lines; the lines they leave open (a few per cent of a
large file) are then copied into a temporary table that the later passes read and shrink.
The SQL is the same on PostgreSQL and SQLite (both have WITH … INSERT, temporary tables and
window functions) but for time arithmetic and the bytewise collation of the duplicates' sort
(SQLite's default).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from portal.common.database import (
    bytewise,
    has_planner_settings,
    refresh_statistics,
    seconds_around,
    time_distance,
)
from transactions.models import Outcome, ReconciliationItem, ReconciliationTotal, SettlementFile
from transactions.reconciliation.absent import flag_merchants_not_in_file, merchant_days
from transactions.reconciliation.clauses import (
    COMPATIBLE,
    OPEN,
    OUT,
    OUTCOME_COLUMNS,
    RRN_KEY,
    TOLERANCE,
    TRACE_KEY,
    L,
    R,
    unclaimed,
)
from transactions.reconciliation.split import settle_rest

log = logging.getLogger(__name__)

TOLERANT_ROUNDS = 3
WORK_MEM = "256MB"
SCAN_DAYS_FROM_LINES = 100_000
SETTLED_TYPES = ("sale", "refund", "preauth_completion")
# The fields a line is read from: a line equal to an earlier one in all of them is that line again.
# The most selective first, so that sorting by them rarely compares more than the first one or two.
DUPLICATE_KEY = (
    "rrn", "tid", "amount", "occurred_at", "trace_no", "batch_no", "mid", "settlement_date", "fee",
    "masked_pan", "type",
)  # fmt: skip
TEXT_FIELDS = frozenset({"rrn", "tid", "trace_no", "batch_no", "mid", "masked_pan", "type"})

ITEM = ReconciliationItem._meta.db_table
TOTAL = ReconciliationTotal._meta.db_table


def _decided(line: str) -> str:
    """The line (``line`` is its alias or table) has its outcome in this file's run."""
    return f"EXISTS (SELECT 1 FROM {OUT} AS o WHERE o.file_id = %(file)s AND o.line_id = {line}.id)"


# Where a pass reads its lines from (``l``): the file's lines that no earlier pass decided, or
# the temporary table of the lines left open after the exact TID + RRN pass. NOT EXISTS, not
# NOT IN: the planner may then hash, merge or probe, where NOT IN is a hashed subplan only while
# the planner expects it to fit in work_mem, and a scan of the subquery per line otherwise.
FILE_LINES = (f"{L} AS l", f"l.file_id = %(file)s AND NOT {_decided('l')}")
OPEN_LINES = (f"{OPEN} AS l", "1 = 1")


def match_file(*, file: SettlementFile, run_id: int) -> None:
    """Give every line of ``file`` its outcome and write the run's differences and totals."""
    params = {
        "file": file.pk,
        "tolerance": file.acquirer.amount_tolerance,
        "merchant": file.merchant_id,
        "run": run_id,
        # A file this large covers most of its days' reports: scanning them beats index probes.
        "scan_days": file.line_count >= SCAN_DAYS_FROM_LINES,
    }
    window = int(file.acquirer.time_window_seconds)
    with connection.cursor() as cursor:
        if has_planner_settings():
            # The exact pass hash-joins a million lines with a million reports and sorts the
            # pairs twice. At the default 4 MB the join spills into batches and the sorts to
            # disk: twice as slow on the benchmark (docs/performance-history.md). The run is atomic, so
            # LOCAL ends with it. JIT: the planner's estimates of these joins are far too high
            # (correlated keys), and compiling for them cost more than it saved.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute("SET LOCAL jit = off")
        with _step("reset"):
            cursor.execute(f"DELETE FROM {OUT} WHERE file_id = %(file)s", params)
        with _step("duplicates"):
            _duplicates(cursor, params)
        with _step("tid+rrn"):
            _pair(cursor, RRN_KEY, params, lines=FILE_LINES, first=True)
        with _step("open lines"):
            _open(cursor, params)
        with _step("tid+trace+batch"):
            _pair(cursor, TRACE_KEY, params, lines=OPEN_LINES)
            _close(cursor, params)
        with _step("split + rest"):
            settle_rest(cursor, params)
            _close(cursor, params)
        with _step("tolerant"):
            for _round in range(TOLERANT_ROUNDS):
                if not _tolerant(cursor, params, window):
                    break
                _close(cursor, params)
        with _step("settled not reported"):
            cursor.execute(
                f"INSERT INTO {OUT} ({OUTCOME_COLUMNS}) "
                f"SELECT %(file)s, id, NULL, NULL, %(outcome)s FROM {OPEN}",
                {**params, "outcome": Outcome.SETTLED_NOT_REPORTED},
            )
            cursor.execute(f"DROP TABLE {OPEN}")
        with _step("differences"):
            _items(cursor, params)
        with _step("totals"):
            _totals(cursor, params)
            flag_merchants_not_in_file(cursor, params)


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Log each pass's duration: where a slow run spends its time, without a profiler."""
    started = time.perf_counter()
    yield
    log.info("reconciliation %s: %.2f s", name, time.perf_counter() - started)


def _open(cursor: Any, params: dict[str, Any]) -> None:
    """Copy the lines no pass has decided yet into ``OPEN``, for the passes that follow."""
    # The exact pass has just written most of a large file's outcomes: without fresh statistics
    # PostgreSQL's planner takes the file's outcomes for a few thousand rows and probes the lines
    # once per outcome (the totals: 1.9 s instead of a hash join).
    refresh_statistics(OUT)
    cursor.execute(f"DROP TABLE IF EXISTS {OPEN}")
    source, undecided = FILE_LINES
    cursor.execute(
        f"CREATE TEMPORARY TABLE {OPEN} AS SELECT l.* FROM {source} WHERE {undecided}", params
    )
    # Statistics of its own: the later passes join it with the reports by their estimates.
    refresh_statistics(OPEN)


def _close(cursor: Any, params: dict[str, Any]) -> None:
    """Take the lines the last pass decided out of ``OPEN``."""
    cursor.execute(f"DELETE FROM {OPEN} WHERE {_decided(OPEN)}", params)


def _duplicates(cursor: Any, params: dict[str, Any]) -> None:
    # Grouping needs equality only: texts compared bytewise rather than by the database's
    # collation take a third of the time on the benchmark (PostgreSQL; SQLite always does).
    key = ", ".join(bytewise(f) if f in TEXT_FIELDS else f for f in DUPLICATE_KEY)
    cursor.execute(
        f"""
        INSERT INTO {OUT} ({OUTCOME_COLUMNS})
        SELECT %(file)s, id, NULL, NULL, %(outcome)s FROM (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY line_no) AS n
            FROM {L} WHERE file_id = %(file)s
        ) AS numbered WHERE n > 1
        """,
        {**params, "outcome": Outcome.DUPLICATE_IN_FILE},
    )


def _pair(
    cursor: Any,
    key: str,
    params: dict[str, Any],
    *,
    lines: tuple[str, str],
    first: bool = False,
) -> None:
    """One exact pass: each report takes at most one line with ``key``, each line one report.

    A report's best line is the closest in amount, then the earliest; a line's best report the
    closest, then the lowest id. Both must choose each other, and then either the amounts agree
    within the tolerance (matched) or they are each other's only candidate (an amount mismatch).
    Everything else is left for ``settle_rest``: a report with several lines may be split.
    """
    source, undecided = lines
    cursor.execute(
        f"""
        WITH candidates AS (
            SELECT l.id AS line_id, l.line_no AS line_no, r.id AS report_id, r.amount AS amount,
                   ROUND(ABS(ABS(l.amount) - r.amount), 2) AS diff
            FROM {source} JOIN {R} AS r ON {key}
            WHERE {undecided} AND {COMPATIBLE}
              AND {unclaimed(params["merchant"], first=first)}
        ), ranked AS (
            SELECT line_id, report_id, amount, diff,
                   ROW_NUMBER() OVER by_report AS report_rank,
                   LEAD(line_id) OVER by_report AS other_line,
                   ROW_NUMBER() OVER by_line AS line_rank,
                   LEAD(report_id) OVER by_line AS other_report
            FROM candidates
            WINDOW by_report AS (PARTITION BY report_id ORDER BY diff, line_no),
                   by_line AS (PARTITION BY line_id ORDER BY diff, report_id)
        )
        INSERT INTO {OUT} ({OUTCOME_COLUMNS})
        SELECT %(file)s, line_id, report_id, amount,
            CASE WHEN diff <= {TOLERANCE}
                 THEN '{Outcome.MATCHED}' ELSE '{Outcome.AMOUNT_MISMATCH}' END
        FROM ranked
        WHERE ranked.report_rank = 1 AND ranked.line_rank = 1
          AND (ranked.diff <= {TOLERANCE}
               OR (ranked.other_line IS NULL AND ranked.other_report IS NULL))
        """,
        params,
    )


def _tolerant(cursor: Any, params: dict[str, Any], window: int) -> int:
    """One round of mutual-closest pairing; returns how many lines it matched."""
    low, high, bounds = seconds_around("l.occurred_at", window)
    gap = time_distance("r.occurred_at", "l.occurred_at")
    cursor.execute(
        f"""
        WITH candidates AS (
            SELECT l.id AS line_id, r.id AS report_id, r.amount AS amount, {gap} AS gap
            FROM {OPEN} AS l JOIN {R} AS r ON r.terminal_id = l.terminal_id
            WHERE l.occurred_at IS NOT NULL
              AND r.occurred_at >= {low} AND r.occurred_at <= {high}
              AND ROUND(ABS(ABS(l.amount) - r.amount), 2) <= {TOLERANCE}
              AND {COMPATIBLE} AND {unclaimed(params["merchant"])}
        ), ranked AS (
            SELECT line_id, report_id, amount,
                   ROW_NUMBER() OVER (PARTITION BY line_id ORDER BY gap, report_id) AS by_line,
                   ROW_NUMBER() OVER (PARTITION BY report_id ORDER BY gap, line_id) AS by_report
            FROM candidates
        )
        INSERT INTO {OUT} ({OUTCOME_COLUMNS})
        SELECT %(file)s, line_id, report_id, amount, '{Outcome.MATCHED}'
        FROM ranked
        WHERE ranked.by_line = 1 AND ranked.by_report = 1
        """,
        {**params, **bounds},
    )
    return cursor.rowcount


def _items(cursor: Any, params: dict[str, Any]) -> None:
    columns = (
        "run_id, kind, merchant_id, day, line_id, line_no, report_id, tid, rrn, "
        "settled_amount, reported_amount"
    )
    cursor.execute(
        f"""
        INSERT INTO {ITEM} ({columns})
        SELECT %(run)s, o.outcome, l.merchant_id, l.day, l.id, l.line_no, o.report_id, l.tid,
               l.rrn, l.amount, o.reported_amount
        FROM {OUT} AS o JOIN {L} AS l ON l.id = o.line_id
        WHERE o.file_id = %(file)s AND o.outcome <> '{Outcome.MATCHED}'
        """,
        params,
    )
    types = ", ".join(f"'{kind}'" for kind in SETTLED_TYPES)
    scan = has_planner_settings() and params["scan_days"]
    if scan:
        # Looked up per merchant and day, the month's ~1M reports are read one heap page each
        # through the (merchant, time) index: 3.3–3.8 s on the benchmark. Scanned once over the
        # file's days (the bounds below, redundant with the join, keep the scan to them) and
        # joined by hashing: 1.1–1.4 s. The planner prefers the index from its estimates. A
        # small file (a merchant's own day) keeps the probes: scanning every merchant's reports
        # of its days would be the slower way for it.
        cursor.execute("SELECT current_setting('enable_nestloop')")
        nestloop = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_nestloop = off")
    cursor.execute(
        f"""
        WITH d AS ({merchant_days(params)})
        INSERT INTO {ITEM} ({columns})
        SELECT %(run)s, '{Outcome.REPORTED_NOT_SETTLED}', r.merchant_id, d.day, NULL, NULL, r.id,
               r.tid, r.rrn, NULL, r.amount
        FROM d JOIN {R} AS r ON r.merchant_id = d.merchant_id
             AND r.occurred_at >= d.day_start AND r.occurred_at < d.day_end
        WHERE r.type IN ({types})
          AND r.occurred_at >= (SELECT MIN(day_start) FROM d)
          AND r.occurred_at < (SELECT MAX(day_end) FROM d)
          AND {unclaimed(params["merchant"])}
        """,
        params,
    )
    if scan:
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [nestloop])


def _totals(cursor: Any, params: dict[str, Any]) -> None:
    columns = "run_id, merchant_id, day, outcome, count, settled_amount, reported_amount"
    cursor.execute(
        f"""
        INSERT INTO {TOTAL} ({columns})
        SELECT %(run)s, l.merchant_id, l.day, o.outcome, COUNT(*), SUM(l.amount),
               SUM(o.reported_amount)
        FROM {OUT} AS o JOIN {L} AS l ON l.id = o.line_id
        WHERE o.file_id = %(file)s AND l.file_id = %(file)s
        GROUP BY l.merchant_id, l.day, o.outcome
        UNION ALL
        SELECT %(run)s, merchant_id, day, kind, COUNT(*), NULL, SUM(reported_amount)
        FROM {ITEM} WHERE run_id = %(run)s AND kind = '{Outcome.REPORTED_NOT_SETTLED}'
        GROUP BY merchant_id, day, kind
        """,
        params,
    )
