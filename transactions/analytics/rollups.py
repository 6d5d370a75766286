"""Keeping the daily rollups up to date: :class:`TerminalDay`, :class:`MerchantDay`,
:class:`MerchantDayMix` and :class:`MerchantCard`.

Ingestion adds every report it stores in the same transaction (:func:`rollup_add`), so the totals
count each stored report exactly once, whichever way it came in: one ``INSERT ... ON CONFLICT``
per table and batch, plus one read of the batch's cards. :func:`rollup_fold` does the same for
reports written by other means (the benchmark's COPY), and :func:`rollup_rebuild` recounts
everything in the database with ``INSERT ... SELECT`` (a migration's backfill, a bulk load).

Definitions (the dashboard page states them too):

- a report's day is the Asia/Shanghai day it *occurred* on;
- *late*: received more than the merchant's deadline (``ReportingSettings.deadline_hours``,
  24 h without settings) after it occurred, judged when it arrives by the deadline in force then;
- *repeat sale*: a sale with a card token whose card made a sale at the same merchant on an
  earlier day. A report that arrives late for a day before the card's first day turns the first
  day's sales into repeat sales (``MerchantCard.first_day_sales``), so the counts do not depend
  on the order in which reports arrive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractHour

from merchants.models import DEFAULT_DEADLINE_HOURS, ReportingSettings
from portal.common.beijing import SHANGHAI
from portal.common.compiled import CompiledQuery
from portal.common.database import pipelined
from transactions.analytics.rollup_cards import (
    DayHealth,
    add_cards,
    card_days_of,
    insert_rows,
    local_day,
    recount_cards,
)
from transactions.models import (
    HOUR_FIELDS,
    MerchantDay,
    MerchantDayMix,
    Report,
    ReportType,
    TerminalDay,
)
from transactions.models.report import late_q

ADDED = ("reports", "sales", "sales_amount", *HOUR_FIELDS)


class Stored(NamedTuple):
    """What the rollups need of a stored report (a tuple: thousands are made per batch)."""

    terminal_id: int
    merchant_id: int
    occurred_at: datetime
    received_at: datetime
    type: str
    method: str
    amount: Decimal
    card_token: str


@dataclass
class _Totals:
    merchant_id: int
    reports: int = 0
    sales: int = 0
    sales_amount: Decimal = Decimal(0)
    hours: list[int] = field(default_factory=lambda: [0] * 24)


def rollup_add(rows: Iterable[Stored]) -> None:
    """Add reports just stored (in the caller's transaction) to every daily rollup."""
    rows = list(rows)
    if not rows:
        return
    deadlines = _deadlines({r.merchant_id for r in rows})
    terminal_days: dict[tuple[int, date], _Totals] = {}
    health: dict[tuple[int, date], DayHealth] = defaultdict(DayHealth)
    mix: dict[tuple[int, date, str, str], list] = defaultdict(lambda: [0, Decimal(0)])
    card_days: dict[tuple[int, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    sale = ReportType.SALE.value
    # The per-report loop of every ingest: plain dict lookups, nothing made that is not needed.
    for terminal_id, merchant_id, occurred_at, received_at, type_, method, amount, token in rows:
        local = occurred_at.astimezone(SHANGHAI)
        day = local.date()
        totals = terminal_days.get((terminal_id, day))
        if totals is None:
            totals = terminal_days[(terminal_id, day)] = _Totals(merchant_id)
        totals.reports += 1
        totals.hours[local.hour] += 1
        entry = health[(merchant_id, day)]
        entry.reports += 1
        if received_at - occurred_at > deadlines[merchant_id]:
            entry.late += 1
        slot = mix[(merchant_id, day, method, type_)]
        slot[0] += 1
        slot[1] += amount
        if type_ == sale:
            totals.sales += 1
            totals.sales_amount += amount
            if token:
                card_days[(merchant_id, token)][day] += 1
    with pipelined():  # four to six statements, two answers awaited (the cards seen before)
        _upsert_terminal_days(terminal_days)
        _upsert_mix({key: (n, amount) for key, (n, amount) in mix.items()})
        add_cards(card_days, health)
        _upsert_health(health)


def rollup_fold(reports: QuerySet[Report], *, sign: int = 1) -> None:
    """Add (``sign=-1``: take away, before deleting them) the rollups of ``reports``.

    Counted by the database and meant for a few days' worth of reports (a benchmark's batch):
    the groups come back to Python. Taking cards away recounts the cards of the merchants
    concerned from the reports that stay.
    """
    reports = reports.order_by()
    _fold_terminal_days(reports, sign)
    health: dict[tuple[int, date], DayHealth] = defaultdict(DayHealth)
    mix: dict[tuple[int, date, str, str], tuple[int, Decimal]] = {}
    for merchant_id, day, method, type_, late, n, amount in (
        reports.annotate(day=local_day(), is_late=_late_flag())
        .values_list("merchant_id", "day", "method", "type", "is_late")
        .annotate(n=Count("*"), amount=Sum("amount"))
        .iterator(chunk_size=10_000)
    ):
        entry = health[(merchant_id, day)]
        entry.reports += sign * n
        entry.late += sign * n if late else 0
        old = mix.get((merchant_id, day, method, type_), (0, Decimal(0)))
        mix[(merchant_id, day, method, type_)] = (old[0] + sign * n, old[1] + sign * amount)
    _upsert_mix(mix)
    if sign > 0:
        card_days: dict[tuple[int, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for merchant_id, token, day, n in card_days_of(reports).values_list(
            "merchant_id", "card_token", "day", "n"
        ):
            card_days[(merchant_id, token)][day] += n
        add_cards(card_days, health)
        _upsert_health(health)
    else:
        _upsert_health(health)
        merchant_ids = {merchant_id for merchant_id, _day in health}  # every report's merchant
        if merchant_ids:
            recount_cards(
                Report.objects.filter(merchant_id__in=merchant_ids).exclude(
                    pk__in=reports.values("pk")
                ),
                merchant_ids=merchant_ids,
            )


def rollup_rebuild() -> None:
    """Recount every rollup from the reports (after loading reports around ingestion)."""
    terminal_days_rebuild()
    merchant_days_rebuild()


def terminal_days_rebuild() -> None:
    """Recount :class:`TerminalDay` in the database, one ``INSERT ... SELECT``."""
    TerminalDay.objects.all().delete()
    sale = Q(type=ReportType.SALE)
    hours = {name: Count("pk", filter=Q(hour=hour)) for hour, name in enumerate(HOUR_FIELDS)}
    rows = (
        Report.objects.order_by()
        .annotate(day=local_day(), hour=ExtractHour("occurred_at", tzinfo=SHANGHAI))
        .values("terminal_id", "merchant_id", "day")
        .annotate(
            reports=Count("*"),
            sales=Count("pk", filter=sale),
            sales_amount=_zero_if_null(Sum("amount", filter=sale)),
            **hours,
        )
    )
    _insert_select(TerminalDay, ("terminal_id", "merchant_id", "day", *ADDED), rows)


def merchant_days_rebuild() -> None:
    """Recount :class:`MerchantDay`, :class:`MerchantDayMix` and :class:`MerchantCard` in SQL."""
    MerchantDayMix.objects.all().delete()
    MerchantDay.objects.all().delete()
    reports = Report.objects.order_by().annotate(day=local_day())
    mix = reports.values("merchant_id", "day", "method", "type").annotate(
        reports=Count("*"), amount=Sum("amount")
    )
    _insert_select(
        MerchantDayMix, ("merchant_id", "day", "method", "type", "reports", "amount"), mix
    )
    health = (
        reports.annotate(is_late=_late_flag())
        .values("merchant_id", "day")
        .annotate(
            reports=Count("*"),
            late=Count("pk", filter=Q(is_late=True)),
            card_sales=Value(0),
            repeat_sales=Value(0),
        )
    )
    _insert_select(
        MerchantDay,
        ("merchant_id", "day", "reports", "late", "card_sales", "repeat_sales"),
        health,
    )
    recount_cards(Report.objects.all(), merchant_ids=None)  # deletes every card first


# --- reading the batch -------------------------------------------------------------------------


def _deadlines(merchant_ids: set[int]) -> dict[int, timedelta]:
    if len(merchant_ids) == 1:  # a terminal's reports: compiled once
        (merchant_id,) = merchant_ids
        rows = _ONE_DEADLINE.rows(merchant_id=merchant_id)
        hours = {merchant_id: rows[0]["deadline_hours"]} if rows else {}
    else:
        hours = dict(
            ReportingSettings.objects.filter(merchant_id__in=merchant_ids).values_list(
                "merchant_id", "deadline_hours"
            )
        )
    return {m: timedelta(hours=hours.get(m) or DEFAULT_DEADLINE_HOURS) for m in merchant_ids}


def _one_deadline(merchant_id: int) -> QuerySet[ReportingSettings, dict[str, Any]]:
    return ReportingSettings.objects.filter(merchant_id=merchant_id).values("deadline_hours")


_ONE_DEADLINE = CompiledQuery(_one_deadline, merchant_id=(-1, -2))


def _late_flag() -> Any:
    """True for a report received after its merchant's current deadline (as the late rule reads it)."""
    from django.db.models import BooleanField, Case, When

    return Case(When(late_q(), then=Value(True)), default=Value(False), output_field=BooleanField())


def _zero_if_null(expression: Any) -> Any:
    from django.db.models import DecimalField
    from django.db.models.functions import Coalesce

    return Coalesce(expression, Value(Decimal(0)), output_field=DecimalField())


# --- writing -----------------------------------------------------------------------------------


def _fold_terminal_days(reports: QuerySet[Report], sign: int) -> None:
    rows = (
        reports.annotate(day=local_day(), hour=ExtractHour("occurred_at", tzinfo=SHANGHAI))
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
    _upsert_terminal_days(totals)


def _upsert_terminal_days(totals: dict[tuple[int, date], _Totals]) -> None:
    table = connection.ops.quote_name(TerminalDay._meta.db_table)
    columns = ("terminal_id", "merchant_id", "day", *ADDED)
    added = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in ADDED)
    # The same statement on PostgreSQL and SQLite: a row per terminal day, added to if it exists.
    # Only the model's own names are formatted in; every value is a parameter.
    insert_rows(
        f"INSERT INTO {table} ({', '.join(columns)})",
        [
            (terminal_id, t.merchant_id, day, t.reports, t.sales, t.sales_amount, *t.hours)
            for (terminal_id, day), t in sorted(totals.items())  # one order: no deadlocks
        ],
        f"ON CONFLICT (terminal_id, day) DO UPDATE SET {added}",
        types=("bigint", "bigint", "date", "integer", "integer", "numeric", *["integer"] * 24),
    )


def _upsert_health(health: dict[tuple[int, date], DayHealth]) -> None:
    table = connection.ops.quote_name(MerchantDay._meta.db_table)
    added = ("reports", "late", "card_sales", "repeat_sales")
    insert_rows(
        f"INSERT INTO {table} (merchant_id, day, {', '.join(added)})",
        [
            (merchant_id, day, h.reports, h.late, h.card_sales, h.repeat_sales)
            for (merchant_id, day), h in sorted(health.items())
        ],
        "ON CONFLICT (merchant_id, day) DO UPDATE SET "
        + ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in added),
        types=("bigint", "date", "integer", "integer", "integer", "integer"),
    )


def _upsert_mix(mix: dict[tuple[int, date, str, str], tuple[int, Decimal]]) -> None:
    table = connection.ops.quote_name(MerchantDayMix._meta.db_table)
    insert_rows(
        f"INSERT INTO {table} (merchant_id, day, method, type, reports, amount)",
        [(*key, n, amount) for key, (n, amount) in sorted(mix.items())],
        "ON CONFLICT (merchant_id, day, method, type) "
        f"DO UPDATE SET reports = {table}.reports + excluded.reports, "
        f"amount = {table}.amount + excluded.amount",
        types=("bigint", "date", "text", "text", "integer", "numeric"),
    )


def _insert_select(model: Any, columns: Sequence[str], rows: QuerySet) -> None:
    """``INSERT INTO model (columns) SELECT ...``: ``rows`` yields the columns in that order."""
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM ({sql}) q",  # noqa: S608
            params,
        )
