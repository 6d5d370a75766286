"""Volume spike: a merchant's or terminal's daily volume far above its own trailing average."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncDate

from ...models import Report
from ..base import SHANGHAI, Context, Finding, RuleSpec, money


def find(ctx: Context) -> list[Finding]:
    return _spikes(ctx, "merchant_id") + _spikes(ctx, "terminal_id")


def _spikes(ctx: Context, field: str) -> list[Finding]:
    factor, trailing = ctx.decimal("factor"), int(ctx.params["trailing_days"])
    touched = (
        ctx.reports()
        .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
        .values_list(field, "day", "merchant_id")
        .distinct()
    )
    touched = list(touched)
    if not touched:
        return []
    first = min(day for _, day, _ in touched) - timedelta(days=trailing)
    daily = (
        Report.objects.filter(
            **{f"{field}__in": {owner for owner, _, _ in touched}},
            type="sale",
            occurred_at__date__gte=first,
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
        .values(field, "day")
        .annotate(total=Sum("amount"))
    )
    volume: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for row in daily:
        volume[row[field]][row["day"]] = row["total"]
    findings = []
    for owner, day, merchant_id in touched:
        history = [v for d, v in volume[owner].items() if day - timedelta(days=trailing) <= d < day]
        today = volume[owner].get(day, Decimal(0))
        if len(history) < int(ctx.params["min_days"]) or today < ctx.decimal("min_amount"):
            continue
        average = sum(history) / trailing
        if today > average * factor:
            what = "merchant" if field == "merchant_id" else "terminal"
            findings.append(
                Finding(
                    key=f"{what}:{owner}:{day}",
                    merchant_id=merchant_id,
                    terminal_id=owner if what == "terminal" else None,
                    explanation=(
                        f"The {what}'s sales on {day} were {money(today)}, {today / average:.1f}× its "
                        f"{trailing}-day average of {money(average)} (threshold {factor}×)."
                    ),
                )
            )
    return findings


RULE = RuleSpec(
    code="volume_spike",
    name="Volume spike",
    description="Daily sales far above the merchant's or terminal's own trailing average.",
    severity="medium",
    defaults={"factor": 3, "trailing_days": 28, "min_days": 7, "min_amount": "1000"},
    find=find,
)
