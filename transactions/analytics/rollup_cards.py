"""Repeat customers: which cards a merchant has seen, and since which day.

A *repeat sale* is a sale with a card token whose card made a sale at the same merchant on an
earlier day (Asia/Shanghai). :class:`MerchantCard` keeps each card's first day and its sales on
that day, so a batch is counted with one read of its cards: a sale after the first day repeats,
and a report that arrives late for a day before the first day turns the first day's sales into
repeat sales. The counts therefore do not depend on the order in which reports arrive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from portal.common.beijing import SHANGHAI
from portal.common.database import has_advisory_locks, has_array_parameters
from transactions.models import MerchantCard, MerchantDay, Report, ReportType

MAX_PARAMS = 30_000  # bound parameters a statement (PostgreSQL takes 65,535, SQLite 32,766)
# The advisory-lock namespace of "a merchant's cards are being counted" (PostgreSQL only).
CARD_LOCK_SPACE = 7_301


@dataclass
class DayHealth:
    """What a batch adds to one merchant day (:class:`MerchantDay`)."""

    reports: int = 0
    late: int = 0
    card_sales: int = 0
    repeat_sales: int = 0


def local_day() -> TruncDate:
    return TruncDate("occurred_at", tzinfo=SHANGHAI)


def card_days_of(reports: QuerySet[Report]) -> QuerySet:
    """Sales with a card token per (merchant, card, day)."""
    return (
        reports.order_by()
        .filter(type=ReportType.SALE)
        .exclude(card_token="")
        .annotate(day=local_day())
        .values("merchant_id", "card_token", "day")
        .annotate(n=Count("*"))
    )


def add_cards(
    card_days: dict[tuple[int, str], dict[date, int]],
    health: dict[tuple[int, date], DayHealth],
) -> None:
    """Count the batch's card sales and repeat sales into ``health``, and remember the cards.

    The merchant's cards are read and written under a per-merchant lock, so two ingests for
    the same merchant (through two terminals) cannot both take the same card for new.
    """
    if not card_days:
        return
    _lock_merchants(sorted({merchant_id for merchant_id, _token in card_days}))
    known = _known_cards(list(card_days))
    cards = []
    for (merchant_id, token), days in card_days.items():
        old_first, old_sales = known.get((merchant_id, token), (None, 0))
        first = min(days) if old_first is None else min(old_first, min(days))
        for day, n in days.items():
            health[(merchant_id, day)].card_sales += n
            if day > first:
                health[(merchant_id, day)].repeat_sales += n
        if old_first is not None and first < old_first:
            # Its first day is earlier than we knew: that day's sales now repeat an earlier one.
            health[(merchant_id, old_first)].repeat_sales += old_sales
        if first in days:  # a new card, an earlier first day, or more sales on the first day
            first_sales = days[first] + (old_sales if first == old_first else 0)
            cards.append((merchant_id, token, first, first_sales))
    table = connection.ops.quote_name(MerchantCard._meta.db_table)
    insert_rows(
        f"INSERT INTO {table} (merchant_id, card_token, first_day, first_day_sales)",
        sorted(cards),
        "ON CONFLICT (merchant_id, card_token) DO UPDATE SET "
        "first_day = excluded.first_day, first_day_sales = excluded.first_day_sales",
        types=("bigint", "text", "date", "integer"),
    )


def _lock_merchants(merchant_ids: Sequence[int]) -> None:
    # SQLite writes one transaction at a time: the ingest holds its write lock already.
    if not has_advisory_locks():
        return
    with connection.cursor() as cursor:
        for merchant_id in merchant_ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CARD_LOCK_SPACE, merchant_id])


def _known_cards(keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[date, int]]:
    """The first day and first-day sales of the cards already seen, by (merchant, token)."""
    by_merchant: dict[int, list[str]] = defaultdict(list)
    for merchant_id, token in keys:
        by_merchant[merchant_id].append(token)
    known: dict[tuple[int, str], tuple[date, int]] = {}
    table = connection.ops.quote_name(MerchantCard._meta.db_table)
    chunk = min(MAX_PARAMS, connection.features.max_query_params or MAX_PARAMS) - 1
    for merchant_id, tokens in by_merchant.items():
        if has_array_parameters():
            # One array parameter instead of thousands of bound ones.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT card_token, first_day, first_day_sales FROM {table} "  # noqa: S608
                    "WHERE merchant_id = %s AND card_token = ANY(%s::text[])",
                    [merchant_id, tokens],
                )
                rows = cursor.fetchall()
        else:
            rows = [
                row
                for start in range(0, len(tokens), chunk)
                for row in MerchantCard.objects.filter(
                    merchant_id=merchant_id, card_token__in=tokens[start : start + chunk]
                ).values_list("card_token", "first_day", "first_day_sales")
            ]
        for token, first, sales in rows:
            known[(merchant_id, token)] = (first, sales)
    return known


def recount_cards(reports: QuerySet[Report], *, merchant_ids: set[int] | None) -> None:
    """Count the cards of ``reports`` from scratch (of ``merchant_ids``, None: of every merchant).

    Set-based: each card's first day is a window ``MIN`` over its days, so a rebuild over
    millions of reports stays in the database.
    """
    cards = MerchantCard.objects.all()
    days = MerchantDay.objects.all()
    if merchant_ids is not None:
        cards = cards.filter(merchant_id__in=merchant_ids)
        days = days.filter(merchant_id__in=merchant_ids)
    cards.delete()
    days.update(card_sales=0, repeat_sales=0)
    inner, params = card_days_of(reports).query.sql_with_params()
    windowed = (
        "SELECT merchant_id, card_token, day, n, "  # noqa: S608 (inner: Django's own compiled SQL)
        f"MIN(day) OVER (PARTITION BY merchant_id, card_token) AS first_day FROM ({inner}) g"
    )
    card_table = connection.ops.quote_name(MerchantCard._meta.db_table)
    day_table = connection.ops.quote_name(MerchantDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {card_table} (merchant_id, card_token, first_day, first_day_sales) "  # noqa: S608
            "SELECT merchant_id, card_token, first_day, "
            "SUM(CASE WHEN day = first_day THEN n ELSE 0 END) "
            f"FROM ({windowed}) w GROUP BY merchant_id, card_token, first_day",
            params,
        )
        # "WHERE 1 = 1": SQLite reads ON CONFLICT after a bare FROM as a join constraint.
        cursor.execute(
            f"INSERT INTO {day_table} "  # noqa: S608
            "(merchant_id, day, reports, late, card_sales, repeat_sales) "
            "SELECT merchant_id, day, 0, 0, SUM(n), SUM(CASE WHEN day > first_day THEN n ELSE 0 END) "
            f"FROM ({windowed}) w WHERE 1 = 1 GROUP BY merchant_id, day "
            "ON CONFLICT (merchant_id, day) DO UPDATE SET "
            "card_sales = excluded.card_sales, repeat_sales = excluded.repeat_sales",
            params,
        )


def insert_rows(head: str, rows: list[tuple], tail: str, *, types: Sequence[str]) -> None:
    """``head`` + the rows + ``tail``: one statement for many rows.

    On PostgreSQL the rows go in as one array per column (``unnest``), elsewhere as a multi-row
    ``VALUES`` chunked under the bound-parameter limit: either costs a fraction of one execution
    per row. A single row (a single report's rollups) goes in as ``VALUES`` on PostgreSQL too:
    psycopg binds its scalars in half the time it takes to build a one-element array per column.
    ``types`` are the PostgreSQL types of the columns. The rows must be unique on the conflict
    target (PostgreSQL refuses to update a row twice in one statement).
    """
    if not rows:
        return
    with connection.cursor() as cursor:
        if has_array_parameters() and len(rows) > 1:
            arrays = ", ".join(f"%s::{name}[]" for name in types)
            cursor.execute(
                f"{head} SELECT * FROM unnest({arrays}) {tail}",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        width = len(types)
        per = max(1, min(MAX_PARAMS, connection.features.max_query_params or MAX_PARAMS) // width)
        row = "(" + ", ".join(["%s"] * width) + ")"
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            # "WHERE 1 = 1" is not needed after VALUES: SQLite reads ON CONFLICT right there.
            cursor.execute(
                f"{head} VALUES {', '.join([row] * len(chunk))} {tail}",
                [value for values in chunk for value in values],
            )
