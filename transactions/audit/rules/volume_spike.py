"""Volume spike: a merchant's or terminal's daily volume far above its own trailing average."""

from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db.models import Sum
from django.db.models.functions import TruncDate

from ...models import Report
from ..base import SHANGHAI, Context, Finding, RuleSpec, money


def find(ctx: Context) -> list[Finding]:
    # One pass over the reports for both owners: daily sales per terminal, added up per merchant
    # in Python (a few rows a terminal-day), instead of the same scans once per owner kind.
    trailing = int(ctx.params["trailing_days"])
    touched = list(
        ctx.reports()
        .order_by()  # the default ordering would make DISTINCT one row per report
        .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
        .values_list("merchant_id", "terminal_id", "day")
        .distinct()
    )
    if not touched:
        return []
    first = min(day for _, _, day in touched) - timedelta(days=trailing)
    daily = (
        Report.objects.order_by()
        .filter(
            terminal_id__in={terminal for _, terminal, _ in touched},
            type="sale",
            occurred_at__gte=datetime.combine(first, time(), SHANGHAI),
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
        .values_list("merchant_id", "terminal_id", "day")
        .annotate(total=Sum("amount"))
    )
    volumes: dict[str, dict[int, dict[date, Decimal]]] = {
        "merchant_id": defaultdict(lambda: defaultdict(Decimal)),
        "terminal_id": defaultdict(lambda: defaultdict(Decimal)),
    }
    for merchant_id, terminal_id, day, total in daily:
        volumes["merchant_id"][merchant_id][day] += total
        volumes["terminal_id"][terminal_id][day] += total
    return _spikes(
        ctx, "merchant_id", {(m, d, m) for m, _, d in touched}, volumes["merchant_id"]
    ) + _spikes(ctx, "terminal_id", {(t, d, m) for m, t, d in touched}, volumes["terminal_id"])


def _spikes(
    ctx: Context,
    field: str,
    touched: set[tuple[int, date, int]],
    volume: dict[int, dict[date, Decimal]],
) -> list[Finding]:
    factor, trailing = ctx.decimal("factor"), int(ctx.params["trailing_days"])
    min_days, min_amount = int(ctx.params["min_days"]), ctx.decimal("min_amount")
    # Per owner, its days in order and running totals: a day's history is a slice of them.
    series: dict[int, tuple[list[date], list[Decimal]]] = {}
    for owner, by_day in volume.items():
        days = sorted(by_day)
        series[owner] = (days, list(accumulate((by_day[d] for d in days), initial=Decimal(0))))
    findings = []
    what = "merchant" if field == "merchant_id" else "terminal"
    for owner, day, merchant_id in sorted(touched):
        days, running = series.get(owner, ([], [Decimal(0)]))
        lo, hi = bisect_left(days, day - timedelta(days=trailing)), bisect_left(days, day)
        today = volume[owner].get(day, Decimal(0)) if owner in volume else Decimal(0)
        if hi - lo < max(min_days, 1) or today < min_amount:
            continue
        # Days without sales count as zero, but only since the owner's first day in the period:
        # a merchant trading for ten days is not measured against 28.
        span = (day - days[lo]).days
        average = (running[hi] - running[lo]) / span
        if today > average * factor:
            findings.append(
                Finding(
                    key=f"{what}:{owner}:{day}",
                    merchant_id=merchant_id,
                    terminal_id=owner if what == "terminal" else None,
                    explanation=(
                        f"The {what}'s sales on {day} were {money(today)}, {today / average:.1f}× its "
                        f"{span}-day average of {money(average)} (threshold {factor:g}×)."
                    ),
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
    name="Volume spike",
    description="Daily sales far above the merchant's or terminal's own trailing average.",
    severity="medium",
    defaults={"factor": 3, "trailing_days": 28, "min_days": 7, "min_amount": "1000"},
    find=find,
)
