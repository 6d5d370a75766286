"""Cash-out (套现): a credit-card sale just under a limit (split to stay below it)."""

from decimal import Decimal

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened, money
from transactions.models import CheckAction, PaymentMethod, ReportType


def run(report: Screened, ctx: Context) -> Hit | None:
    if report.method != PaymentMethod.CREDIT_CARD or report.type != ReportType.SALE:
        return None
    margin = ctx.decimal("margin_percent") / 100
    for limit in sorted((Decimal(str(v)) for v in ctx.params["limits"]), reverse=True):
        if limit * (1 - margin) <= report.amount < limit:
            return Hit(
                gettext_noop(
                    "A credit-card sale of %(amount)s, within %(margin)s %% under the limit of "
                    "%(limit)s."
                ),
                {
                    "amount": money(report.amount),
                    "margin": str(ctx.params["margin_percent"]),
                    "limit": money(limit),
                },
            )
    return None


CHECK = CheckSpec(
    code="below_limit",
    name=gettext_noop("Just under a limit (套现)"),
    description="Credit-card sales within margin_percent under one of the limits.",
    action=CheckAction.REVIEW,
    defaults={"limits": [50000, 20000, 10000], "margin_percent": 2},
    run=run,
)
