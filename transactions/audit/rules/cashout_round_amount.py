"""Cash-out (套现): large round amounts."""

from django.db.models import Value
from django.db.models.functions import Mod

from ..base import SHANGHAI, Context, Finding, RuleSpec, grouped, money


def find(ctx: Context) -> list[Finding]:
    minimum, step = ctx.decimal("min_amount"), ctx.decimal("round_to")
    rows = (
        ctx.reports()
        .filter(type="sale", amount__gte=minimum)
        .annotate(rest=Mod("amount", Value(step)))
        .filter(rest=0)
        .values("id", "merchant_id", "amount", "occurred_at")
    )
    findings = []
    key = lambda r: (r["merchant_id"], r["occurred_at"].astimezone(SHANGHAI).date())
    for (merchant_id, day), group in grouped(rows, key).items():
        amounts = ", ".join(money(r["amount"]) for r in group[:5])
        findings.append(
            Finding(
                key=f"{merchant_id}:{day}",
                merchant_id=merchant_id,
                report_ids=[r["id"] for r in group],
                explanation=f"{len(group)} round-amount sale(s) of at least {money(minimum)} on {day}: {amounts}.",
            )
        )
    return findings


RULE = RuleSpec(
    code="cashout_round_amount",
    name="Cash-out: large round amounts (套现)",
    description="Sales of large, exactly round amounts (multiples of round_to, at least min_amount).",
    severity="medium",
    defaults={"min_amount": "5000", "round_to": "1000"},
    find=find,
)
