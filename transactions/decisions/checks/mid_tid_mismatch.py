"""Merchant jumping (跳商户): acquired under a MID or TID other than the terminal's own."""

from django.utils.translation import gettext_noop

from transactions.decisions.base import CheckSpec, Context, Hit, Screened
from transactions.models import CheckAction


def run(report: Screened, ctx: Context) -> Hit | None:
    facts = ctx.facts
    if report.acquirer_mid == facts.merchant_mid and report.tid == facts.tid:
        return None
    return Hit(
        gettext_noop(
            "Acquired under MID %(mid)s and TID %(tid)s; the terminal's own are %(own_mid)s and "
            "%(own_tid)s."
        ),
        {
            "mid": report.acquirer_mid,
            "tid": report.tid,
            "own_mid": facts.merchant_mid or "-",
            "own_tid": facts.tid or "-",
        },
    )


CHECK = CheckSpec(
    code="mid_tid_mismatch",
    name=gettext_noop("MID or TID not the terminal's (跳商户)"),
    description="The report's MID or TID differs from the terminal's merchant and TID.",
    action=CheckAction.HOLD,
    defaults={},
    run=run,
)
