"""Refund anomalies: a refund or void without its original, larger than it, or on another card."""

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import Exact
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, money
from transactions.models import Report

# One whole sentence per kind of report and fault, so each reads naturally once translated.
MESSAGES = {
    ("refund", "missing"): gettext_noop(
        "A refund of %(amount)s: its original %(original)s was never reported."
    ),
    ("refund", "larger"): gettext_noop(
        "A refund of %(amount)s: it is larger than its original (%(amount)s > %(original_amount)s)."
    ),
    ("refund", "card"): gettext_noop(
        "A refund of %(amount)s: it is on another card than its original "
        "(%(card)s vs %(original_card)s)."
    ),
    ("void", "missing"): gettext_noop(
        "A void of %(amount)s: its original %(original)s was never reported."
    ),
    ("void", "larger"): gettext_noop(
        "A void of %(amount)s: it is larger than its original (%(amount)s > %(original_amount)s)."
    ),
    ("void", "card"): gettext_noop(
        "A void of %(amount)s: it is on another card than its original "
        "(%(card)s vs %(original_card)s)."
    ),
}


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
        params = {"amount": money(row["amount"])}
        if row["original_pk"] is None:
            fault = "missing"
            params["original"] = str(row["original_report_id"])
        elif row["amount"] > row["original_amount"]:
            fault = "larger"
            params["original_amount"] = money(row["original_amount"])
        else:
            fault = "card"
            params["card"] = row["masked_pan"] or "—"
            params["original_card"] = row["original_card"] or "—"
        ids = [row["id"]] + ([row["original_pk"]] if row["original_pk"] else [])
        findings.append(
            Finding(
                key=str(row["id"]),
                merchant_id=row["merchant_id"],
                terminal_id=row["terminal_id"],
                report_ids=ids,
                message=MESSAGES[(row["type"], fault)],
                params=params,
            )
        )
    return findings


RULE = RuleSpec(
    code="refund_anomaly",
    name=gettext_noop("Refund anomaly"),
    description="Refund or void without its original, larger than it, or on another card.",
    severity="high",
    defaults={},
    find=find,
)
