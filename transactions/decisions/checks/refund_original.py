"""Refund anomaly: a refund or void without its original sale, larger than it, or on another
card."""

from typing import Any

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened, money
from transactions.models import CheckAction, ReportType

CHECKED = frozenset({ReportType.REFUND, ReportType.VOID})


def run(report: Screened, ctx: Context) -> Hit | None:
    if report.type not in CHECKED:
        return None
    original = ctx.original()
    if original is None:
        return Hit(
            gettext_noop("A %(type)s without its original sale at this merchant."),
            {"type": report.type},
        )
    if report.amount > original.amount:
        return Hit(
            gettext_noop("A %(type)s of %(amount)s, more than its original sale of %(original)s."),
            {
                "type": report.type,
                "amount": money(report.amount),
                "original": money(original.amount),
            },
        )
    if _another_card(report, original):
        return Hit(
            gettext_noop("A %(type)s to another card than its original sale's."),
            {"type": report.type},
        )
    return None


def _another_card(report: Screened, original: Any) -> bool:
    """Whether the refund is to another card than its sale: by token when both carry one, else
    by masked number when both carry one (a terminal may send the token with one and not the
    other; the audit's refund_anomaly compares the same way)."""
    if report.card_token and original.card_token:
        return report.card_token != original.card_token
    if report.masked_pan and original.masked_pan:
        return report.masked_pan != original.masked_pan
    return False


CHECK = CheckSpec(
    code="refund_original",
    name=gettext_noop("Refund without or beyond its original"),
    description="Refunds and voids whose original sale is missing, smaller, or on another card.",
    action=CheckAction.HOLD,
    defaults={},
    run=run,
)
