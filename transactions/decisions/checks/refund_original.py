"""Refund anomaly: a refund or void without its original sale, larger than it, or on another
card."""

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened, card_key, money
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
    other = card_key(card_token=original.card_token, masked_pan=original.masked_pan)
    if report.card_key and other and report.card_key != other:
        return Hit(
            gettext_noop("A %(type)s to another card than its original sale's."),
            {"type": report.type},
        )
    return None


CHECK = CheckSpec(
    code="refund_original",
    name=gettext_noop("Refund without or beyond its original"),
    description="Refunds and voids whose original sale is missing, smaller, or on another card.",
    action=CheckAction.HOLD,
    defaults={},
    run=run,
)
