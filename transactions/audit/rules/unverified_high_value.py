"""Unverified high value: a large card payment with neither PIN nor signature."""

from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.audit.base import Context, RuleSpec, money
from transactions.models import CARD_METHODS


def find(ctx: Context) -> list[Finding]:
    minimum = ctx.decimal("min_amount")
    rows = (
        ctx.reports()
        .filter(
            method__in=CARD_METHODS, amount__gte=minimum, type__in=["sale", "preauth_completion"]
        )
        .exclude(cvm__in=["pin", "signature"])
        .values("id", "merchant_id", "terminal_id", "amount", "cvm", "masked_pan")
    )
    return [
        Finding(
            key=str(row["id"]),
            merchant_id=row["merchant_id"],
            terminal_id=row["terminal_id"],
            report_ids=[row["id"]],
            message=gettext_noop(
                "%(amount)s on card %(card)s verified by “%(cvm)s”: "
                "no PIN or signature above %(minimum)s."
            ),
            params={
                "amount": money(row["amount"]),
                "card": row["masked_pan"],
                "cvm": row["cvm"],
                "minimum": money(minimum),
            },
        )
        for row in rows
    ]


RULE = RuleSpec(
    code="unverified_high_value",
    name=gettext_noop("Unverified high value"),
    description="Card payments above a threshold with no PIN and no signature (forced-consumption risk).",
    severity="high",
    defaults={"min_amount": "5000"},
    find=find,
)
