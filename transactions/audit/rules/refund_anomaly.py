"""Refund anomalies: a refund or void without its original, larger than it, or on another card."""

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import Exact

from ...models import Report
from ..base import Context, Finding, RuleSpec, money


def find(ctx: Context) -> list[Finding]:
    original = Report.objects.filter(
        merchant_id=OuterRef("merchant_id"), report_id=OuterRef("original_report_id")
    )
    # A refund is sound when an original exists that is at least as large, on the same card.
    # Asked as one NOT EXISTS (an anti-join on the report_id index); the details below are
    # looked up only for the few refunds that fail it.
    same_token = (
        Q(card_token=OuterRef("card_token"))
        | Q(card_token="")
        | Q(Exact(OuterRef("card_token"), ""))
    )
    sound = original.filter(
        same_token, amount__gte=OuterRef("amount"), masked_pan=OuterRef("masked_pan")
    )
    rows = (
        ctx.reports()
        .order_by()
        .filter(type__in=["refund", "void"])
        .filter(~Exists(sound))
        .annotate(
            original_pk=Subquery(original.values("pk")[:1]),
            original_amount=Subquery(original.values("amount")[:1]),
            original_card=Subquery(original.values("masked_pan")[:1]),
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
