"""Risk level limits: a sale above the per-sale limit of the merchant's risk level, or one that
takes the day's sales over the level's daily limit (merchants/models/risk.py, *Risk levels*).

The limits are the level's, not the check's: the check has no thresholds of its own, and a
merchant not rated yet, or at a level without limits, is never stopped by it.
"""

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened, money
from transactions.models import CheckAction, ReportType


def run(report: Screened, ctx: Context) -> Hit | None:
    facts = ctx.facts
    if report.type != ReportType.SALE or facts.risk_level is None:
        return None
    level = facts.risk_level
    if facts.per_transaction_limit is not None and report.amount > facts.per_transaction_limit:
        return Hit(
            gettext_noop(
                "A sale of %(amount)s is above the per-sale limit of %(limit)s for this "
                "merchant's risk level."
            ),
            {
                "amount": money(report.amount),
                "limit": money(facts.per_transaction_limit),
                "level": level,
            },
        )
    if facts.daily_limit is not None:
        total = ctx.day_sales()
        if total > facts.daily_limit:
            return Hit(
                gettext_noop(
                    "This sale takes the day's sales to %(total)s, over the daily limit of "
                    "%(limit)s for this merchant's risk level."
                ),
                {"total": money(total), "limit": money(facts.daily_limit), "level": level},
            )
    return None


CHECK = CheckSpec(
    code="level_limits",
    name=gettext_noop("Risk level limits"),
    description="Sales above the per-sale or daily limit of the merchant's risk level.",
    action=CheckAction.HOLD,
    defaults={},
    run=run,
)
