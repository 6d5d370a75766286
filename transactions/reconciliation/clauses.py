# ruff: noqa: S608  (table names come from the models' _meta; every value is a parameter)
"""SQL shared by the matching passes: which report a line may settle at all.

Every pass joins lines (alias ``l``) with reports (alias ``r``) and takes its values as named
parameters (``%(file)s``, ``%(tolerance)s``, ``%(merchant)s``): the same text runs on PostgreSQL
and SQLite. A pass writes what it decides as outcome rows (``OUT``); the passes after the exact one
read the lines still open from ``OPEN``, a temporary copy of them (a few per cent of a large file).
"""

from __future__ import annotations

from transactions.models import Report, SettlementFile, SettlementLine, SettlementLineOutcome

L = SettlementLine._meta.db_table
OUT = SettlementLineOutcome._meta.db_table
R = Report._meta.db_table
F = SettlementFile._meta.db_table
OPEN = "recon_open_lines"
OUTCOME_COLUMNS = "file_id, line_id, report_id, reported_amount, outcome"
# The acquirer's amount tolerance, as a number the SQL can compare differences with.
TOLERANCE = "CAST(%(tolerance)s AS NUMERIC)"

# A line settles a report of its own kind only. With the acquirer's type mapped, the types are
# equal (and a negative amount is a refund's or a void's); without it the sign tells: a negative
# line is a refund, a positive one a sale or a pre-authorisation completion. So a refund of −100.50
# carrying its sale's RRN never settles the sale.
COMPATIBLE = """(
    (l.type = '' AND l.amount < 0 AND r.type = 'refund')
    OR (l.type = '' AND l.amount >= 0 AND r.type IN ('sale', 'preauth_completion'))
    OR (l.type <> '' AND r.type = l.type AND (l.amount >= 0 OR l.type IN ('refund', 'void')))
)"""

RRN_KEY = "l.rrn <> '' AND r.rrn = l.rrn AND r.terminal_id = l.terminal_id"
TRACE_KEY = (
    "l.trace_no <> '' AND r.terminal_id = l.terminal_id "
    "AND r.occurred_at >= l.day_start AND r.occurred_at < l.day_end "
    "AND r.trace_no = l.trace_no AND r.batch_no = l.batch_no"
)


def unclaimed(merchant_id: int | None, *, first: bool = False) -> str:
    """The report is settled by no line of a file in the same ledger (``r`` is the report).

    Two ledgers: the acquirer's files (uploaded by staff without a merchant) and, for each
    merchant, the files it uploaded for itself. A merchant's own upload neither takes a report
    away from the acquirer's file nor is shadowed by it: each answers its own question. The
    file's own lines count too, so that a report settled by an earlier pass is not taken again.

    ``first``: for the run's first pass, when none of the file's lines settles a report yet, so
    that the statistics of the outcomes count the claimed ones right. Saying
    ``taken.report_id IS NOT NULL`` (implied by the equality: same result) lets the planner read
    the claimed reports from the ``report_id`` index into a hash anti-join instead of probing the
    index once per candidate (~1M probes on the benchmark: 1.4 s). Not for the later passes: the
    statistics then still say that the file claims nothing, and a round of the tolerant pass
    planned that way took 26 s instead of 1.
    """
    scope = "tf.merchant_id IS NULL" if merchant_id is None else "tf.merchant_id = %(merchant)s"
    claimed = " AND taken.report_id IS NOT NULL" if first else ""
    return (
        f"NOT EXISTS (SELECT 1 FROM {OUT} AS taken JOIN {F} AS tf ON tf.id = taken.file_id "
        f"WHERE taken.report_id = r.id{claimed} AND {scope})"
    )
