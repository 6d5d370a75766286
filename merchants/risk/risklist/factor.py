"""The rating factor ``risk_list``: a merchant on the external risk list is rated prohibited.

A merchant the risk information system lists (by its USCC, its legal representative's ID number
or its MID), or that staff found there (a recorded hit), gets the points that start the
*prohibited* band (90 by default; read from *Risk levels* at each rating, so a lead who moves the
band moves this too): whatever its other factors, its level is prohibited, every sale is held and
new terminals wait for a lead. Only a lead's override, with a reason, lowers it, for a hit shown
to be a false match. The explanation names no list and no value: the merchant reads it too.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_noop

from merchants.models import RiskLevel
from merchants.risk.rating.registry import Factor, Rating, Score, register
from merchants.risk.rating.services import bands
from merchants.risk.risklist.selectors import manual_hits, matches


def hit_points() -> int:
    """The lowest score of the prohibited band."""
    return dict(bands()).get(RiskLevel.PROHIBITED, 90)


def risk_list_scores(rating: Rating) -> Mapping[int, Score]:
    found = matches(rating.merchants)
    manual = manual_hits(rating.merchants)
    if not found and not manual:
        return {}
    points = hit_points()
    scores = {}
    for pk in found.keys() | manual.keys():
        count = len(found.get(pk, []))
        scores[pk] = Score(
            str(count) if count else "✓",
            points,
            gettext_noop(
                "Listed in the external risk information system (%(count)s entries, or found "
                "there by staff): the merchant is rated prohibited."
            ),
            {"count": str(count)},
        )
    return scores


def register_risk_list_factor() -> None:
    register(
        Factor(
            "risk_list",
            gettext_noop("External risk-list hits"),
            80,
            risk_list_scores,
            Score("0", 0, gettext_noop("Not on the external risk list.")),
        )
    )
