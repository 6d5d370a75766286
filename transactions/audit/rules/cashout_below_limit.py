"""Cash-out (套现): amounts just under a limit (split to stay below a single-transaction cap)."""

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, money
from transactions.audit.rules.days import local_day, whole_day_groups
from transactions.models import Report


def find(ctx: Context) -> list[Finding]:
    margin = ctx.decimal("margin_percent") / 100
    limits = [Decimal(str(limit)) for limit in ctx.params["limits"]]
    near = Q()
    for limit in limits:
        near |= Q(amount__gte=limit * (1 - margin), amount__lt=limit)

    def matching(reports: QuerySet[Report]) -> QuerySet:
        return reports.filter(near, type="sale").values(
            "id", "merchant_id", "amount", "occurred_at"
        )

    key = lambda r: (r["merchant_id"], local_day(r["occurred_at"]))
    findings = []
    for (merchant_id, day), group in whole_day_groups(
        ctx, matching, key, owner="merchant_id"
    ).items():
        amounts = ", ".join(money(r["amount"]) for r in group[:5])
        findings.append(
            Finding(
                key=f"{merchant_id}:{day}",
                merchant_id=merchant_id,
                report_ids=[r["id"] for r in group],
                message=gettext_noop(
                    "%(count)s sale(s) on %(day)s just under a limit "
                    "(%(limits)s, within %(margin)s%%): %(amounts)s."
                ),
                params={
                    "count": str(len(group)),
                    "day": str(day),
                    "limits": ", ".join(money(x) for x in limits),
                    "margin": str(ctx.params["margin_percent"]),
                    "amounts": amounts,
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="cashout_below_limit",
    name=gettext_noop("Cash-out: just under a limit (套现)"),
    description="Sales a little below a transaction limit.",
    severity="medium",
    defaults={"limits": ["50000", "20000", "10000"], "margin_percent": 2},
    find=find,
)
