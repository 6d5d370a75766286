"""Relocation (移机): the report's location is far from where the terminal is registered."""

from django.utils.translation import gettext_noop

from portal.common.geo import haversine_km
from transactions.decisions.base import CheckSpec, Context, Hit, Screened
from transactions.models import CheckAction


def run(report: Screened, ctx: Context) -> Hit | None:
    if report.lat is None or report.lng is None:
        return None
    home = ctx.facts
    km = haversine_km(
        float(report.lat), float(report.lng), float(home.latitude), float(home.longitude)
    )
    limit = float(ctx.params["max_km"])
    if km <= limit:
        return None
    return Hit(
        gettext_noop(
            "Reported %(km)s km from the terminal's registered location (limit %(limit)s km)."
        ),
        {"km": f"{km:.1f}", "limit": f"{limit:g}"},
    )


CHECK = CheckSpec(
    code="far_from_home",
    name=gettext_noop("Far from the registered location (移机)"),
    description="The report's location is farther than max_km from the terminal's registered one.",
    action=CheckAction.REVIEW,
    defaults={"max_km": 5},
    run=run,
)
