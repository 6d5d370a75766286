"""Backtests of aggregate-only rules with window functions: one sort per chunk, not a probe per report.

A rule made of window aggregates alone (the same-card example: a card used 5 times or more at a
merchant in a Beijing day) reads its window for *every* report of the range: as a correlated
subquery (``compiler.Aggregate.sql``) that is one index probe per report, a million probes over a
month. On PostgreSQL the same figure is a window function over the chunk's reports, partitioned
by merchant (and card or terminal) and by Beijing day (calendar windows) or ordered by time with
a ``RANGE`` frame of the window's seconds (sliding windows, ``[t − N, t]``, the report and its
same-instant peers included, as the subquery counts them).

Only for backtests, whose chunks are ranges of occurrence: the reports a window reads are the
chunk's, plus the rule's look-back before it (and, for a calendar window, the rest of the last
day), read here and dropped from the matches after (``windowed_rows``). The audit reads reports by their time of *receipt*, whose windows reach
reports outside its set, so it keeps the subquery. Field conditions stay on the subquery path
too: a window counts every report of the card, not only those the conditions let through, and
the ORM would filter those before the window. ``count`` and ``sum`` without ``where`` only
(PostgreSQL has no ``COUNT(DISTINCT …) OVER``). ``test_windowed.py`` checks both paths agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Expression,
    F,
    IntegerField,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import ValueRange
from django.db.models.functions import Extract, TruncDate

from portal.common.beijing import SHANGHAI, day_bounds
from transactions.models import Report
from transactions.rules.compiler import Aggregate, Compiled
from transactions.rules.grouping import BASE_COLUMNS

MONEY = DecimalField(max_digits=14, decimal_places=2)


class SecondsBefore(ValueRange):
    """``RANGE BETWEEN <n> PRECEDING AND CURRENT ROW``: PostgreSQL takes offsets in RANGE frames
    since version 11; Django's backend still refuses them (it only allows UNBOUNDED)."""

    def window_frame_start_end(self, connection: Any, start: Any, end: Any) -> tuple[str, str]:
        return f"{int(-start)} PRECEDING", "CURRENT ROW"


def windowable(compiled: Compiled) -> bool:
    """Whether the backtest can read this rule with window functions (see the module)."""
    return (
        connection.vendor == "postgresql"
        and bool(compiled.leaves)
        and all(
            leaf.aggregate is not None
            and leaf.aggregate.fn in ("count", "sum")
            and leaf.aggregate.where is None
            for leaf in compiled.leaves
        )
    )


def window_sql(aggregate: Aggregate) -> Expression:
    """The aggregate of each report's window, as a window function over the rows read."""
    partition: list[Any] = [F("merchant_id")]
    if aggregate.per == "card":
        partition.append(F("card_token"))
    elif aggregate.per == "terminal":
        partition.append(F("terminal_id"))
    output = MONEY if aggregate.fn == "sum" else IntegerField()
    measure = Sum("amount", output_field=output) if aggregate.fn == "sum" else Count("pk")
    if aggregate.seconds:
        window = Window(
            measure,
            partition_by=partition,
            order_by=Extract("occurred_at", "epoch"),
            frame=SecondsBefore(start=-aggregate.seconds, end=0),
            output_field=output,
        )
    else:
        day = TruncDate("occurred_at", tzinfo=SHANGHAI)
        window = Window(measure, partition_by=[*partition, day], output_field=output)
    if aggregate.per != "card":
        return window
    # A report without a card token has no card to follow: 0, as the subquery gives it.
    zero = Value(Decimal("0.00") if aggregate.fn == "sum" else 0, output_field=output)
    return Case(When(card_token="", then=zero), default=window, output_field=output)


def windowed_rows(
    compiled: Compiled, *, low: datetime, high: datetime, reports: QuerySet[Report] | None = None
) -> list[dict[str, Any]]:
    """The matches among the reports that occurred in ``[low, high)``, each with its leaves'
    values as ``x<index>``: what ``grouping.matched_rows`` gives for those reports."""
    aggregates = [(leaf.index, leaf.aggregate) for leaf in compiled.leaves if leaf.aggregate]
    values = {leaf.index: F(f"v{leaf.index}") for leaf in compiled.leaves}
    base = reports if reports is not None else Report.objects.all()
    start, end = _reach(low, high, [agg for _i, agg in aggregates])
    read = base.order_by().filter(compiled.scope_q, occurred_at__gte=start, occurred_at__lt=end)
    windows = {f"v{index}": window_sql(aggregate) for index, aggregate in aggregates}
    rows = read.annotate(**windows).filter(compiled.root.q(values)).values(*BASE_COLUMNS, *windows)
    return [
        {**{c: row[c] for c in BASE_COLUMNS}, **{f"x{k[1:]}": row[k] for k in windows}}
        for row in rows
        if low <= row["occurred_at"] < high
    ]


def _reach(low: datetime, high: datetime, aggregates: list[Aggregate]) -> tuple[datetime, datetime]:
    """The reports the windows of ``[low, high)`` read: the widest sliding window before ``low``;
    for a calendar window, the whole Beijing days of ``low`` and ``high`` (a chunk that cuts a
    day still counts all of it, as the subquery does)."""
    seconds = max((agg.seconds for agg in aggregates), default=0)
    start, end = low - timedelta(seconds=seconds), high
    if any(not agg.seconds for agg in aggregates):
        start = min(start, day_bounds(low.astimezone(SHANGHAI).date())[0])
        day_start, day_end = day_bounds(high.astimezone(SHANGHAI).date())
        end = high if high == day_start else day_end
    return start, end
