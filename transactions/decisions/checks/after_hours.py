"""Cash-out (套现): a credit-card sale at an hour the merchant is normally closed.

The merchant's usual hours are learnt from its daily rollups (``TerminalDay``, sales per Beijing
hour over history_days): an hour that carries less than quiet_share_percent of them, with at
least min_history in all, is a closed hour.
"""

from django.utils.translation import gettext_noop

from portal.common.beijing import SHANGHAI
from transactions.decisions.base import CheckSpec, Context, Hit, Screened
from transactions.models import CheckAction, PaymentMethod, ReportType


def run(report: Screened, ctx: Context) -> Hit | None:
    if report.method != PaymentMethod.CREDIT_CARD or report.type != ReportType.SALE:
        return None
    hours = ctx.usual_hours()
    total = sum(hours.values())
    if total < int(ctx.params["min_history"]):
        return None
    hour = report.occurred_at.astimezone(SHANGHAI).hour
    share = float(ctx.params["quiet_share_percent"]) / 100
    if hours.get(hour, 0) >= total * share:
        return None
    return Hit(
        gettext_noop(
            "A credit-card sale at %(hour)s, an hour when this merchant is normally closed "
            "(%(count)s of its %(total)s recent reports)."
        ),
        {"hour": f"{hour:02d}:00", "count": str(hours.get(hour, 0)), "total": str(total)},
    )


CHECK = CheckSpec(
    code="after_hours",
    name=gettext_noop("Credit card after hours (套现)"),
    description="Credit-card sales at hours the merchant is normally closed (learnt from its "
    "daily rollups).",
    action=CheckAction.REVIEW,
    defaults={"history_days": 30, "min_history": 200, "quiet_share_percent": 1},
    run=run,
)
