"""Reporting gap: an active terminal with reporting on that fell silent, or a dormant one that wakes."""

from datetime import timedelta

from django.db.models import Max, Min

from merchants.models import Terminal, TerminalStatus

from ...models import Report
from ..base import SHANGHAI, Context, Finding, RuleSpec


def find(ctx: Context) -> list[Finding]:
    return _silent(ctx) + _woken(ctx)


def _silent(ctx: Context) -> list[Finding]:
    hours = int(ctx.params["silent_hours"])
    cutoff = ctx.window_end - timedelta(hours=hours)
    terminals = ctx.scoped(
        Terminal.objects.filter(status=TerminalStatus.ACTIVE, merchant__reporting__enabled=True),
        "merchant_id",
    )
    rows = (
        terminals.annotate(last=Max("reports__occurred_at"))
        .filter(last__lt=cutoff)
        .values("id", "merchant_id", "tid", "last")
    )
    return [
        Finding(
            key=f"silent:{row['id']}:{row['last'].astimezone(SHANGHAI):%Y%m%d%H%M}",
            merchant_id=row["merchant_id"],
            terminal_id=row["id"],
            explanation=(
                f"Terminal {row['tid']} is active with reporting on but has reported nothing since "
                f"{row['last'].astimezone(SHANGHAI):%Y-%m-%d %H:%M} (more than {hours} h)."
            ),
        )
        for row in rows
    ]


def _woken(ctx: Context) -> list[Finding]:
    days = int(ctx.params["dormant_days"])
    first_new = dict(
        ctx.reports()
        .values("terminal_id")
        .annotate(first=Min("occurred_at"))
        .values_list("terminal_id", "first")
    )
    if not first_new:
        return []
    before = (
        Report.objects.filter(terminal_id__in=first_new, received_at__lte=ctx.window_start)
        .values("terminal_id")
        .annotate(last=Max("occurred_at"), merchant_id=Max("merchant_id"))
    )
    findings = []
    for row in before:
        first = first_new[row["terminal_id"]]
        if first - row["last"] > timedelta(days=days):
            findings.append(
                Finding(
                    key=f"woke:{row['terminal_id']}:{first.astimezone(SHANGHAI):%Y%m%d%H%M}",
                    merchant_id=row["merchant_id"],
                    terminal_id=row["terminal_id"],
                    explanation=(
                        f"The terminal reported again on {first.astimezone(SHANGHAI):%Y-%m-%d} after "
                        f"{(first - row['last']).days} days of silence (dormant after {days} days)."
                    ),
                )
            )
    return findings


RULE = RuleSpec(
    code="reporting_gap",
    name="Reporting gap",
    description="Active terminals that stopped reporting, and dormant terminals that start again.",
    severity="medium",
    defaults={"silent_hours": 24, "dormant_days": 30},
    find=find,
)
