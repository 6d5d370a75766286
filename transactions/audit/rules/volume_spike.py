"""Volume spike: a merchant's or terminal's daily volume far above its own trailing average."""

from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_noop

from portal.common.beijing import SHANGHAI
from portal.common.database import one_of
from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, money
from transactions.models import Report, TerminalDay

FEW_DAYS = 3
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
    findings = []
    for field, owners in (
        ("merchant_id", {(m, d) for m, _, d in touched}),
        ("terminal_id", {(t, d) for _, t, d in touched}),
    ):
        findings += _spikes(ctx, field, candidates(ctx, field, owners, merchants_by_day))
    return findings


def candidates(
    ctx: Context,
    field: str,
    owners: set[tuple[int, date]],
    merchants_by_day: dict[date, set[int]],
) -> list[dict[str, Any]]:
    """Each touched (owner, day) with the day's sales and its trailing history.

    An incremental run touches a day or two: the database sums each of them. A first run touches
    a month, where one read of the daily totals and running sums beat a query per day.
    """
    if len(merchants_by_day) <= FEW_DAYS:
        return [
            row
            for day, merchant_ids in merchants_by_day.items()
            for row in _day_against_history(ctx, field, day, merchant_ids)
            if (row["owner"], day) in owners
        ]
    return _days_against_history(ctx, field, owners, merchants_by_day)


def _day_against_history(
    ctx: Context, field: str, day: date, merchant_ids: set[int]
) -> list[dict[str, Any]]:
    """Per owner: the day's sales beside its trailing days, summed by the database.

    Read from the daily totals kept at ingestion (a row per terminal and day), so an owner comes
    back as one row, however many sales it had. All of a merchant's terminals count towards its
    volume, not only those in the window.
    """
    history = Q(day__lt=day)
    rows = (
        TerminalDay.objects.filter(
            one_of("merchant_id", merchant_ids),
            day__gte=day - timedelta(days=int(ctx.params["trailing_days"])),
            day__lte=day,
            sales__gt=0,
        )
        .values(owner=F(field))
        .annotate(
            merchant=Max("merchant_id"),
            today=Sum("sales_amount", filter=Q(day=day)),
            history=Sum("sales_amount", filter=history),
            # A terminal has one row a day: counting them needs no DISTINCT (whose sort is
            # the costly part of this query); a merchant's terminals share their days.
            days=Count("day", distinct=field != "terminal_id", filter=history),
            since=Min("day", filter=history),
        )
    )
    return [{**row, "day": day} for row in rows]


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
)
