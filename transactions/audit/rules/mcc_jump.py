"""MCC jumping (跳码): acquired under an MCC other than the merchant's registered one."""

from django.db.models import F

from ..base import SHANGHAI, Context, Finding, RuleSpec, grouped


def find(ctx: Context) -> list[Finding]:
    rows = (
        ctx.reports()
        .exclude(mcc=F("merchant__mcc"))
        .values("id", "merchant_id", "terminal_id", "mcc", "merchant__mcc", "occurred_at")
    )
    findings = []
    key = lambda r: (r["terminal_id"], r["mcc"], r["occurred_at"].astimezone(SHANGHAI).date())
    for (terminal_id, mcc, day), group in grouped(rows, key).items():
        registered = group[0]["merchant__mcc"]
        findings.append(
            Finding(
                key=f"{terminal_id}:{mcc}:{day}",
                merchant_id=group[0]["merchant_id"],
                terminal_id=terminal_id,
                report_ids=[r["id"] for r in group],
                explanation=f"MCC {mcc} on {len(group)} transaction(s) on {day}, {registered} registered.",
            )
        )
    return findings


RULE = RuleSpec(
    code="mcc_jump",
    name="MCC jumping (跳码)",
    description="Transactions acquired under an MCC other than the merchant's registered one.",
    severity="high",
    defaults={},
    find=find,
)
