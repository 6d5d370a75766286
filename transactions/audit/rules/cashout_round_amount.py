"""Cash-out (套现): large round amounts."""

from django.db.models import QuerySet, Value
from django.db.models.functions import Mod
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, money
from transactions.audit.rules.days import local_day, whole_day_groups
from transactions.models import Report


def find(ctx: Context) -> list[Finding]:
    minimum, step = ctx.decimal("min_amount"), ctx.decimal("round_to")

    def matching(reports: QuerySet[Report]) -> QuerySet:
        return (
            reports.filter(type="sale", amount__gte=minimum)
            .annotate(rest=Mod("amount", Value(step)))
            .filter(rest=0)
            .values("id", "merchant_id", "amount", "occurred_at")
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
                    "%(count)s round-amount sale(s) of at least %(minimum)s on %(day)s: %(amounts)s."
                ),
                params={
                    "count": str(len(group)),
                    "minimum": money(minimum),
                    "day": str(day),
                    "amounts": amounts,
                },
            )
        )
    return findings


RULE = RuleSpec(
    code="cashout_round_amount",
    name=gettext_noop("Cash-out: large round amounts (套现)"),
    description="Sales of large, exactly round amounts (multiples of round_to, at least min_amount).",
    severity="medium",
    defaults={"min_amount": "5000", "round_to": "1000"},
    find=find,
)
