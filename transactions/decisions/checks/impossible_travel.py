"""Impossible travel: the terminal reports from two places too far apart for the time between."""

from django.utils.translation import gettext_noop

from portal.common.geo import haversine_km
from transactions.decisions.base import CheckSpec, Context, Hit, Screened
from transactions.models import CheckAction


def run(report: Screened, ctx: Context) -> Hit | None:
    last = ctx.last_seen
    if report.lat is None or report.lng is None or last is None:
        return None
    km = haversine_km(float(report.lat), float(report.lng), float(last.lat), float(last.lng))
    minutes = abs((report.occurred_at - last.occurred_at).total_seconds()) / 60
    if km < float(ctx.params["travel_km"]) or minutes > float(ctx.params["travel_minutes"]):
        return None
    return Hit(
        gettext_noop(
            "%(km)s km from the terminal's previous report, %(minutes)s minutes apart "
            "(%(travel_km)s km within %(travel_minutes)s minutes is not possible)."
        ),
        {
            "km": f"{km:.1f}",
            "minutes": f"{minutes:.0f}",
            "travel_km": str(ctx.params["travel_km"]),
            "travel_minutes": str(ctx.params["travel_minutes"]),
        },
    )


CHECK = CheckSpec(
    code="impossible_travel",
    name=gettext_noop("Impossible travel"),
    description="Two reports of the terminal travel_km or more apart within travel_minutes.",
    action=CheckAction.REVIEW,
    defaults={"travel_km": 50, "travel_minutes": 30},
    run=run,
)
