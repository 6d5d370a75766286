"""Keeping :class:`TerminalDay` up to date.

Ingestion adds every report it stores in the same transaction (:func:`rollup_add`), so the totals
count each stored report exactly once, whichever way it came in. :func:`rollup_fold` does the same
for reports written by other means (a migration's backfill, the benchmark's COPY), aggregated in
the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate

from ..audit.base import SHANGHAI
from ..models import HOUR_FIELDS, Report, ReportType, TerminalDay

ADDED = ("reports", "sales", "sales_amount", *HOUR_FIELDS)


@dataclass
class _Totals:
    merchant_id: int
    reports: int = 0
    sales: int = 0
    sales_amount: Decimal = Decimal(0)
    hours: list[int] = field(default_factory=lambda: [0] * 24)


def rollup_add(rows: Iterable[tuple[int, int, datetime, str, Decimal]]) -> None:
    """Add stored reports, given as (terminal, merchant, occurred_at, type, amount), to their days."""
    totals: dict[tuple[int, date], _Totals] = {}
    for terminal_id, merchant_id, occurred_at, type_, amount in rows:
        local = occurred_at.astimezone(SHANGHAI)
        day = totals.setdefault((terminal_id, local.date()), _Totals(merchant_id))
        day.reports += 1
        day.hours[local.hour] += 1
        if type_ == ReportType.SALE:
            day.sales += 1
            day.sales_amount += amount
    _upsert(totals)


def rollup_fold(reports: QuerySet[Report], *, sign: int = 1) -> None:
    """Add (``sign=-1``: take away) the totals of ``reports``, counted by the database."""
    rows = (
        reports.order_by()
        .annotate(
            day=TruncDate("occurred_at", tzinfo=SHANGHAI),
            hour=ExtractHour("occurred_at", tzinfo=SHANGHAI),
        )
        .values_list("terminal_id", "merchant_id", "day", "hour")
        .annotate(
            n=Count("*"),
            sales=Count("pk", filter=Q(type=ReportType.SALE)),
            amount=Sum("amount", filter=Q(type=ReportType.SALE)),
        )
    )
    totals: dict[tuple[int, date], _Totals] = {}
    for terminal_id, merchant_id, day, hour, n, sales, amount in rows.iterator(chunk_size=10_000):
        entry = totals.setdefault((terminal_id, day), _Totals(merchant_id))
        entry.reports += sign * n
        entry.hours[hour] += sign * n
        entry.sales += sign * sales
        entry.sales_amount += sign * (amount or Decimal(0))
    _upsert(totals)


def rollup_rebuild() -> None:
    """Recount every terminal day from the reports (after loading reports around ingestion)."""
    TerminalDay.objects.all().delete()
    rollup_fold(Report.objects.all())


def _upsert(totals: dict[tuple[int, date], _Totals]) -> None:
    if not totals:
        return
    table = connection.ops.quote_name(TerminalDay._meta.db_table)
    columns = ("terminal_id", "merchant_id", "day", *ADDED)
    added = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in ADDED)
    # The same statement on PostgreSQL and SQLite: a row per terminal day, added to if it exists.
    # Only the model's own names are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT (terminal_id, day) DO UPDATE SET {added}"
    )
    params = [
        (terminal_id, t.merchant_id, day, t.reports, t.sales, t.sales_amount, *t.hours)
        for (terminal_id, day), t in sorted(totals.items())  # one order: no deadlocks
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
