"""Volume spike: a merchant's or terminal's daily volume far above its own trailing average."""

from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.db.models import BigIntegerField, F, Func, IntegerField, Max, Q, Sum, Value
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.functions import Cast, TruncDate
from django.utils.translation import gettext_noop

from portal.common.beijing import SHANGHAI
from portal.common.database import one_of
from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, money
from transactions.models import Report, TerminalDay

FEW_DAYS = 3
# A day of history is a bit of a 64-bit integer (bit 0, the day itself, is not history).
MAX_BITS = 62
MESSAGES = {
    "merchant": gettext_noop(
        "The merchant's sales on %(day)s were %(sales)s, %(ratio)s× its %(span)s-day average "
        "of %(average)s (threshold %(factor)s×)."
    ),
    "terminal": gettext_noop(
        "The terminal's sales on %(day)s were %(sales)s, %(ratio)s× its %(span)s-day average "
        "of %(average)s (threshold %(factor)s×)."
    ),
}


def find(ctx: Context) -> list[Finding]:
    touched = list(
        ctx.reports()
        .order_by()  # the default ordering would make DISTINCT one row per report
        .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
        .values_list("merchant_id", "terminal_id", "day")
        .distinct()
    )
    merchants_by_day: dict[date, set[int]] = defaultdict(set)
    for merchant_id, _terminal_id, day in touched:
        merchants_by_day[day].add(merchant_id)
    owners = {
        "merchant_id": {(m, d) for m, _, d in touched},
        "terminal_id": {(t, d) for _, t, d in touched},
    }
    found = candidates(ctx, owners, merchants_by_day)
    return [finding for field in owners for finding in _spikes(ctx, field, found[field])]


def candidates(
    ctx: Context,
    owners: dict[str, set[tuple[int, date]]],
    merchants_by_day: dict[date, set[int]],
) -> dict[str, list[dict[str, Any]]]:
    """Each touched (owner, day) with the day's sales and its trailing history, by owner field.

    An incremental run touches a day or two: the database sums each of them, once for both
    owners. A first run touches a month, where one read of the daily totals per owner and
    running sums beat a query per day (so does a history longer than a day's bits hold).
    """
    if len(merchants_by_day) <= FEW_DAYS and int(ctx.params["trailing_days"]) <= MAX_BITS:
        by_day = {
            day: _day_against_history(ctx, day, merchant_ids)
            for day, merchant_ids in merchants_by_day.items()
        }
        return {
            field: [
                row
                for day, rows in by_day.items()
                for row in rows[field]
                if (row["owner"], day) in wanted
            ]
            for field, wanted in owners.items()
        }
    return {
        field: _days_against_history(ctx, field, wanted, merchants_by_day)
        for field, wanted in owners.items()
    }


def _day_against_history(
    ctx: Context, day: date, merchant_ids: set[int]
) -> dict[str, list[dict[str, Any]]]:
    """Per owner (by ``merchant_id`` and by ``terminal_id``): the day's sales beside its
    trailing days.

    One read of the daily totals kept at ingestion (a row per terminal and day), grouped by
    terminal: so an owner comes back as one row, however many sales it had. A merchant's figures
    are its terminals' added up, all of its terminals, not only those in the window. A terminal's
    days with sales come back as bits (bit n: n days before ``day``; one row a day, so their
    sum is their union), and a merchant's days with sales are the union of its terminals'.
    """
    history = Q(day__lt=day)
    bit = CombinedExpression(
        Cast(Value(1), BigIntegerField()), Combinable.BITLEFTSHIFT, DaysBefore(Value(day), "day")
    )
    terminals = TerminalDay.objects.filter(
        one_of("merchant_id", merchant_ids),
        day__gte=day - timedelta(days=int(ctx.params["trailing_days"])),
        day__lte=day,
        sales__gt=0,
    ).values("terminal_id")
    rows = terminals.annotate(
        merchant=Max("merchant_id"),  # a terminal has one merchant: Max() names it
        today=Sum("sales_amount", filter=Q(day=day)),
        history=Sum("sales_amount", filter=history),
        bits=Sum(bit, filter=history),
    ).values_list("terminal_id", "merchant", "today", "history", "bits")
    by_terminal: list[dict[str, Any]] = []
    by_merchant: dict[int, list[Any]] = {}
    for terminal_id, merchant_id, today, sold, bits in rows.order_by():
        by_terminal.append(_owner_row(terminal_id, merchant_id, day, today, sold, int(bits or 0)))
        merchant = by_merchant.setdefault(merchant_id, [None, None, 0])
        merchant[0] = _plus(merchant[0], today)
        merchant[1] = _plus(merchant[1], sold)
        merchant[2] |= int(bits or 0)
    return {
        "terminal_id": by_terminal,
        "merchant_id": [
            _owner_row(merchant_id, merchant_id, day, today, sold, bits)
            for merchant_id, (today, sold, bits) in by_merchant.items()
        ],
    }


def _plus(total: Decimal | None, amount: Decimal | None) -> Decimal | None:
    """A sum as SQL's SUM has it: none while there is nothing to add."""
    return amount if total is None else total + (amount or 0)


def _owner_row(
    owner: int, merchant: int, day: date, today: Decimal | None, history: Decimal | None, bits: int
) -> dict[str, Any]:
    """An owner's figures: ``days`` (how many days of the history had sales) and ``since`` (the
    first of them) read from the bits of its days."""
    return {
        "owner": owner,
        "merchant": merchant,
        "today": today,
        "history": history,
        "days": bits.bit_count(),
        "since": day - timedelta(days=bits.bit_length() - 1) if bits else None,
        "day": day,
    }


class DaysBefore(Func):
    """Whole days from the date ``earlier`` to the date ``later`` (``DaysBefore(later, earlier)``)."""

    arity = 2
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        # A date minus a date is the whole days between them.
        return f"(CAST({later[0]} AS date) - {earlier[0]})", [*later[1], *earlier[1]]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST(julianday({later[0]}) - julianday({earlier[0]}) AS INTEGER)"
        return sql, [*later[1], *earlier[1]]


def _days_against_history(
    ctx: Context,
    field: str,
    owners: set[tuple[int, date]],
    merchants_by_day: dict[date, set[int]],
) -> list[dict[str, Any]]:
    """The same figures as :func:`_day_against_history`, for many days from one read."""
    trailing = timedelta(days=int(ctx.params["trailing_days"]))
    daily = (
        TerminalDay.objects.filter(
            one_of("merchant_id", set().union(*merchants_by_day.values())),
            day__gte=min(merchants_by_day) - trailing,
            day__lte=max(merchants_by_day),
            sales__gt=0,
        )
        .values("day", owner=F(field))
        .annotate(merchant=Max("merchant_id"), total=Sum("sales_amount"))
        .values_list("owner", "day", "merchant", "total")
    )
    by_owner: dict[int, dict[date, Decimal]] = defaultdict(dict)
    merchant_of: dict[int, int] = {}
    for owner, day, merchant_id, total in daily:
        by_owner[owner][day] = total
        merchant_of[owner] = merchant_id
    # Per owner, its days in order and running totals: a day's history is a slice of them.
    series = {}
    for owner, totals in by_owner.items():
        days = sorted(totals)
        series[owner] = (days, list(accumulate((totals[d] for d in days), initial=Decimal(0))))
    rows = []
    for owner, day in owners:
        if owner not in series:
            continue
        days, running = series[owner]
        lo, hi = bisect_left(days, day - trailing), bisect_left(days, day)
        if day not in by_owner[owner]:
            continue  # no sales that day: nothing to compare (the database leaves it out too)
        rows.append(
            {
                "owner": owner,
                "day": day,
                "merchant": merchant_of[owner],
                "today": by_owner[owner][day],
                "history": running[hi] - running[lo] if hi > lo else None,
                "days": hi - lo,
                "since": days[lo] if hi > lo else None,
            }
        )
    return rows


def _spikes(ctx: Context, field: str, candidates: list[dict[str, Any]]) -> list[Finding]:
    factor, min_days = ctx.decimal("factor"), int(ctx.params["min_days"])
    min_amount = ctx.decimal("min_amount")
    what = "merchant" if field == "merchant_id" else "terminal"
    findings = []
    for row in sorted(candidates, key=lambda r: (r["owner"], r["day"])):
        today, day = row["today"] or Decimal(0), row["day"]
        if row["days"] < max(min_days, 1) or today < min_amount:
            continue
        # Days without sales count as zero, but only since the owner's first day in the period:
        # a merchant trading for ten days is not measured against 28.
        span = (day - row["since"]).days
        average = row["history"] / span
        if today > average * factor:
            findings.append(
                Finding(
                    key=f"{what}:{row['owner']}:{day}",
                    merchant_id=row["merchant"],
                    terminal_id=row["owner"] if what == "terminal" else None,
                    message=MESSAGES[what],
                    params={
                        "day": str(day),
                        "sales": money(today),
                        "ratio": f"{today / average:.1f}",
                        "span": str(span),
                        "average": money(average),
                        "factor": f"{factor:g}",
                    },
                )
            )
    _attach_sales(findings, field)
    return findings


def _attach_sales(findings: list[Finding], field: str) -> None:
    """The reports involved: that day's sales of the owner, one query per day with spikes.

    Per day, so only the spiking owners' sales of that very day are read (a first run finds
    spikes all over the month; one query over the whole span would read nearly every sale).
    """
    wanted = {(int(f.key.split(":")[1]), f.key.split(":")[2]): f for f in findings}
    owners_by_day: dict[str, set[int]] = defaultdict(set)
    for owner, day in wanted:
        owners_by_day[day].add(owner)
    for day, owners in owners_by_day.items():
        start = datetime.combine(date.fromisoformat(day), time(), SHANGHAI)
        rows = Report.objects.order_by().filter(
            **{f"{field}__in": owners},
            type="sale",
            occurred_at__gte=start,
            occurred_at__lt=start + timedelta(days=1),
        )
        for report_id, owner in rows.values_list("id", field):
            wanted[(owner, day)].report_ids.append(report_id)


RULE = RuleSpec(
    code="volume_spike",
    name=gettext_noop("Volume spike"),
    description="Daily sales far above the merchant's or terminal's own trailing average.",
    severity="medium",
    defaults={"factor": 3, "trailing_days": 28, "min_days": 7, "min_amount": "1000"},
    find=find,
    heavy=True,
)
