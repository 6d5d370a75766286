# ruff: noqa: S608  (table names come from the models' _meta; every value is a parameter)
"""Merchants the acquirer's file leaves out: reports on the file's days, and no line at all.

A file from the acquirer (uploaded by staff, no merchant) settles every merchant it acquires for
the days it covers, so a merchant with reports on those days and no line in the file was not
settled: its reports are *reported but not settled* like any other merchant's, and its day is
flagged *not in the file* (one difference and one total per merchant and day, an alert for
review). Which merchants had reports on a day is read from the daily rollups (``MerchantDay``),
not from the reports: a handful of rows per day instead of a scan of the day's reports.

A merchant's own upload answers for that merchant only; the days it covers are its own lines'.
"""

from __future__ import annotations

from typing import Any

from transactions.models import MerchantDay, Outcome, ReconciliationItem, ReconciliationTotal
from transactions.reconciliation.clauses import L

ITEM = ReconciliationItem._meta.db_table
TOTAL = ReconciliationTotal._meta.db_table
DAY = MerchantDay._meta.db_table


def merchant_days(params: dict[str, Any]) -> str:
    """The CTE body of the (merchant, day, day_start, day_end) whose reports the run checks.

    The merchants with lines in the file on its days and, for the acquirer's file, every
    merchant with reports on one of those days.
    """
    in_file = (
        f"SELECT DISTINCT merchant_id, day, day_start, day_end FROM {L} "
        "WHERE file_id = %(file)s AND merchant_id IS NOT NULL"
    )
    if params["merchant"] is not None:
        return in_file
    return (
        f"{in_file} UNION "
        f"SELECT md.merchant_id, fd.day, fd.day_start, fd.day_end "
        f"FROM (SELECT DISTINCT day, day_start, day_end FROM {L} WHERE file_id = %(file)s) AS fd "
        f"JOIN {DAY} AS md ON md.day = fd.day WHERE md.reports > 0"
    )


def flag_merchants_not_in_file(cursor: Any, params: dict[str, Any]) -> None:
    """One difference and one total per merchant day with reports left unsettled and no line.

    Read from the run's totals (a few rows per merchant and day): a merchant day the file has
    lines for has a total of a line's outcome; one whose only total is *reported but not
    settled* is not in the file. The difference carries the unsettled reports' sum; the total
    counts the merchant day once, without an amount (its reports are already in the day's sums).
    """
    absent = f"""
        FROM {TOTAL} AS t
        WHERE t.run_id = %(run)s AND t.outcome = '{Outcome.REPORTED_NOT_SETTLED}'
          AND t.merchant_id IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM {TOTAL} AS p
              WHERE p.run_id = %(run)s AND p.merchant_id = t.merchant_id AND p.day = t.day
                AND p.outcome <> '{Outcome.REPORTED_NOT_SETTLED}'
          )
    """
    cursor.execute(
        f"INSERT INTO {ITEM} (run_id, kind, merchant_id, day, line_id, line_no, report_id, tid, "
        "rrn, settled_amount, reported_amount) "
        f"SELECT %(run)s, '{Outcome.MERCHANT_NOT_IN_FILE}', t.merchant_id, t.day, NULL, NULL, "
        f"NULL, '', '', NULL, t.reported_amount {absent}",
        params,
    )
    cursor.execute(
        f"INSERT INTO {TOTAL} (run_id, merchant_id, day, outcome, count, settled_amount, "
        "reported_amount) "
        f"SELECT %(run)s, t.merchant_id, t.day, '{Outcome.MERCHANT_NOT_IN_FILE}', 1, NULL, NULL "
        f"{absent}",
        params,
    )
