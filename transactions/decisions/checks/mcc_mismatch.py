"""MCC jumping (跳码): acquired under an MCC other than the merchant's registered one."""

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened
from transactions.models import CheckAction


def run(report: Screened, ctx: Context) -> Hit | None:
    if report.mcc == ctx.facts.merchant_mcc:
        return None
    return Hit(
        gettext_noop(
            "Acquired under MCC %(mcc)s; the merchant is registered under %(registered)s."
        ),
        {"mcc": report.mcc, "registered": ctx.facts.merchant_mcc},
    )


CHECK = CheckSpec(
    code="mcc_mismatch",
    name=gettext_noop("MCC not the merchant's (跳码)"),
    description="The report's MCC differs from the merchant's registered MCC.",
    action=CheckAction.HOLD,
    defaults={},
    run=run,
)
