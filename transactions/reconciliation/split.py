# ruff: noqa: S608  (table names come from the models' _meta; every value is a parameter)
"""What the exact passes left under a key: split settlements, then the remaining pairs.

A report the exact passes could not give one line to may have several lines carrying its key
(TID + RRN, or TID + trace + batch on its day). Those lines settle it together when their amounts
sum to it within the tolerance: all of them (any number, two or more), or else two or three of
them (searched only when the report has at most ``SPLIT_MAX_LINES`` such lines, so that a key
shared by many lines cannot explode into their combinations). Of several ways, the one closest to
the report's amount wins, then the one of fewer parts, then the earliest lines. A line that two
reports' best splits both want goes to neither (it is left for the pairing below).

Each part is matched to the report and carries its share as the reported amount (the first part
the rest), so that the totals of reported amounts count the report once. Every other line is then
paired with its closest open report under the key, one to one (TID + RRN before trace, the
closest amount, the earliest line): matched within the tolerance, else an amount mismatch. A line
no report takes goes on to the tolerant pass, and then is settled but not reported.
"""

from __future__ import annotations

from typing import Any

from transactions.models import Outcome
from transactions.reconciliation.clauses import (
    COMPATIBLE,
    OPEN,
    OUT,
    OUTCOME_COLUMNS,
    RRN_KEY,
    TOLERANCE,
    TRACE_KEY,
    R,
    unclaimed,
)

SPLIT_MAX_LINES = 8


def settle_rest(cursor: Any, params: dict[str, Any]) -> None:
    """Match split settlements and pair the rest of the lines under a key."""
    taken = unclaimed(params["merchant"])
    keyed = " UNION ALL ".join(
        f"""
        SELECT l.id AS line_id, l.line_no AS line_no, ABS(l.amount) AS part,
               r.id AS report_id, r.amount AS amount, {rank} AS key_rank
        FROM {OPEN} AS l JOIN {R} AS r ON {key}
        WHERE {COMPATIBLE} AND {taken}
        """
        for rank, key in ((1, RRN_KEY), (2, TRACE_KEY))
    )
    cursor.execute(
        f"""
        WITH keyed AS ({keyed}
        ), pending AS (
            SELECT line_id, report_id, MIN(line_no) AS line_no, MIN(part) AS part,
                   MIN(amount) AS amount, MIN(key_rank) AS key_rank
            FROM keyed GROUP BY line_id, report_id
        ), bundles AS (
            SELECT report_id, COUNT(*) AS n, SUM(part) AS total, MIN(amount) AS amount
            FROM pending GROUP BY report_id HAVING COUNT(*) > 1
        ), subsets AS (
            SELECT report_id, 0 AS a, 0 AS b, 0 AS c, n AS size,
                   ROUND(ABS(total - amount), 2) AS diff
            FROM bundles
            UNION ALL
            SELECT g.report_id, x.line_id, y.line_id, 0, 2,
                   ROUND(ABS(x.part + y.part - g.amount), 2)
            FROM bundles AS g
            JOIN pending AS x ON x.report_id = g.report_id
            JOIN pending AS y ON y.report_id = g.report_id AND y.line_no > x.line_no
            WHERE g.n BETWEEN 3 AND {SPLIT_MAX_LINES}
            UNION ALL
            SELECT g.report_id, x.line_id, y.line_id, z.line_id, 3,
                   ROUND(ABS(x.part + y.part + z.part - g.amount), 2)
            FROM bundles AS g
            JOIN pending AS x ON x.report_id = g.report_id
            JOIN pending AS y ON y.report_id = g.report_id AND y.line_no > x.line_no
            JOIN pending AS z ON z.report_id = g.report_id AND z.line_no > y.line_no
            WHERE g.n BETWEEN 4 AND {SPLIT_MAX_LINES}
        ), best AS (
            SELECT report_id, a, b, c,
                   ROW_NUMBER() OVER (PARTITION BY report_id ORDER BY diff, size, a, b, c) AS k
            FROM subsets WHERE diff <= {TOLERANCE}
        ), parts AS (
            SELECT o.report_id, o.line_id, o.line_no, o.part, o.amount,
                   COUNT(*) OVER (PARTITION BY o.line_id) AS claims
            FROM best JOIN pending AS o ON o.report_id = best.report_id
            WHERE best.k = 1 AND (best.a = 0 OR o.line_id IN (best.a, best.b, best.c))
        ), splits AS (
            SELECT report_id FROM parts GROUP BY report_id HAVING MAX(claims) = 1
        ), shares AS (
            SELECT p.line_id, p.report_id,
                   CASE WHEN ROW_NUMBER() OVER (PARTITION BY p.report_id ORDER BY p.line_no) = 1
                        THEN p.amount - (SUM(p.part) OVER (PARTITION BY p.report_id) - p.part)
                        ELSE p.part END AS reported
            FROM parts AS p JOIN splits ON splits.report_id = p.report_id
        ), rest AS (
            SELECT line_id, report_id, amount, ROUND(ABS(part - amount), 2) AS diff,
                   ROW_NUMBER() OVER (
                       PARTITION BY report_id ORDER BY key_rank, ROUND(ABS(part - amount), 2), line_no
                   ) AS report_rank,
                   ROW_NUMBER() OVER (
                       PARTITION BY line_id ORDER BY key_rank, ROUND(ABS(part - amount), 2), report_id
                   ) AS line_rank
            FROM pending
            WHERE report_id NOT IN (SELECT report_id FROM splits)
              AND line_id NOT IN (SELECT line_id FROM shares)
        ), settled AS (
            SELECT line_id, report_id, reported, '{Outcome.MATCHED}' AS outcome FROM shares
            UNION ALL
            SELECT line_id, report_id, amount,
                   CASE WHEN diff <= {TOLERANCE} THEN '{Outcome.MATCHED}'
                        ELSE '{Outcome.AMOUNT_MISMATCH}' END
            FROM rest WHERE report_rank = 1 AND line_rank = 1
        )
        INSERT INTO {OUT} ({OUTCOME_COLUMNS})
        SELECT %(file)s, line_id, report_id, reported, outcome FROM settled
        """,
        params,
    )
