"""Refund anomalies: a refund or void without its original, larger than it, or on another card."""

from django.db.models import F, OuterRef, Q, Subquery

from ...models import Report
from ..base import Context, Finding, RuleSpec, money


def find(ctx: Context) -> list[Finding]:
    original = Report.objects.filter(
        merchant_id=OuterRef("merchant_id"), report_id=OuterRef("original_report_id")
    )
    rows = (
        ctx.reports()
        .filter(type__in=["refund", "void"])
        .annotate(
            original_pk=Subquery(original.values("pk")[:1]),
            original_amount=Subquery(original.values("amount")[:1]),
            original_card=Subquery(original.values("masked_pan")[:1]),
            original_token=Subquery(original.values("card_token")[:1]),
        )
        .filter(
            Q(original_pk__isnull=True)
            | Q(amount__gt=F("original_amount"))
            | ~Q(masked_pan=F("original_card"))
            | (~Q(card_token="") & ~Q(original_token="") & ~Q(card_token=F("original_token")))
        )
        .values(
            "id",
            "merchant_id",
            "terminal_id",
            "type",
            "amount",
            "masked_pan",
            "original_report_id",
            "original_pk",
            "original_amount",
            "original_card",
        )
    )
    findings = []
    for row in rows:
        if row["original_pk"] is None:
            why = f"its original {row['original_report_id']} was never reported"
        elif row["amount"] > row["original_amount"]:
            why = f"it is larger than its original ({money(row['amount'])} > {money(row['original_amount'])})"
        else:
            why = f"it is on another card than its original ({row['masked_pan'] or '—'} vs {row['original_card'] or '—'})"
        ids = [row["id"]] + ([row["original_pk"]] if row["original_pk"] else [])
        findings.append(
            Finding(
                key=str(row["id"]),
                merchant_id=row["merchant_id"],
                terminal_id=row["terminal_id"],
                report_ids=ids,
                explanation=f"A {row['type']} of {money(row['amount'])}: {why}.",
            )
        )
    return findings


RULE = RuleSpec(
    code="refund_anomaly",
    name="Refund anomaly",
    description="Refund or void without its original, larger than it, or on another card.",
    severity="high",
    defaults={},
    find=find,
)
