"""Cash-out (套现): a large credit-card sale in an exact multiple of a round sum."""

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened, money
from transactions.models import CheckAction, PaymentMethod, ReportType


def run(report: Screened, ctx: Context) -> Hit | None:
    if report.method != PaymentMethod.CREDIT_CARD or report.type != ReportType.SALE:
        return None
    round_to = ctx.decimal("round_to")
    if report.amount < ctx.decimal("min_amount") or report.amount % round_to:
        return None
    return Hit(
        gettext_noop("A credit-card sale of %(amount)s, an exact multiple of %(round_to)s."),
        {"amount": money(report.amount), "round_to": money(round_to)},
    )


CHECK = CheckSpec(
    code="round_amount",
    name=gettext_noop("Round credit-card amount (套现)"),
    description="Credit-card sales of at least min_amount in exact multiples of round_to.",
    action=CheckAction.REVIEW,
    defaults={"min_amount": 5000, "round_to": 1000},
    run=run,
)
