"""Unverified high value: a large card payment with neither PIN nor signature."""

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened, money
from transactions.models import CARD_METHODS, CheckAction, Cvm, ReportType

VERIFIED = frozenset({Cvm.PIN, Cvm.SIGNATURE})


def run(report: Screened, ctx: Context) -> Hit | None:
    if report.method not in CARD_METHODS or report.type != ReportType.SALE:
        return None
    if report.cvm in VERIFIED or report.amount <= ctx.decimal("min_amount"):
        return None
    return Hit(
        gettext_noop("A card payment of %(amount)s without PIN or signature (limit %(limit)s)."),
        {"amount": money(report.amount), "limit": money(ctx.decimal("min_amount"))},
    )


CHECK = CheckSpec(
    code="unverified_high_value",
    name=gettext_noop("Unverified high value"),
    description="Card sales above min_amount verified by neither PIN nor signature.",
    action=CheckAction.REVIEW,
    defaults={"min_amount": 5000},
    run=run,
)
