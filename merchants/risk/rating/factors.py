"""The factors read from the merchant's own rows: its MCC, its region and how long it has been
approved. Each answers for every merchant being rated in one or two queries."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_noop

from merchants.models import HighRiskMcc, HighRiskRegion
from merchants.risk.rating.registry import Factor, Rating, Score, register

# Days since approval → points: a new merchant has no track record yet.
AGE_POINTS = ((90, 15), (180, 10), (365, 5))


def mcc_scores(rating: Rating) -> Mapping[int, Score]:
    listed = HighRiskMcc.objects.filter(mcc=OuterRef("mcc"))
    rows = (
        rating.merchants.annotate(
            points=Subquery(listed.values("points")[:1]),
            category=Subquery(listed.values("category")[:1]),
        )
        .filter(points__isnull=False)
        .values_list("pk", "mcc", "points", "category")
    )
    return {
        pk: Score(
            mcc,
            points,
            gettext_noop("MCC %(mcc)s is on the high-risk list: %(category)s."),
            {"mcc": mcc, "category": category},
        )
        for pk, mcc, points, category in rows
    }


def region_scores(rating: Rating) -> Mapping[int, Score]:
    """The business place, else the registered one; a city's entry before its province's."""
    listed = {(r.province, r.city): r for r in HighRiskRegion.objects.all()}
    if not listed:
        return {}
    scores = {}
    places = rating.merchants.values_list(
        "pk", "business_province", "business_city", "registered_province", "registered_city"
    )
    for pk, province, city, reg_province, reg_city in places:
        province, city = (province, city) if province else (reg_province, reg_city)
        entry = listed.get((province, city)) or listed.get((province, ""))
        if entry is not None:
            scores[pk] = Score(
                f"{entry.get_province_display()} {city}".strip(),
                entry.points,
                gettext_noop("The business is in a high-risk region: %(reason)s."),
                {"reason": entry.reason},
            )
    return scores


def age_scores(rating: Rating) -> Mapping[int, Score]:
    scores = {}
    for pk, approved_at in rating.merchants.values_list("pk", "approved_at"):
        days = (rating.now - approved_at).days if approved_at else 0
        points = next((p for limit, p in AGE_POINTS if days < limit), 0)
        if points:
            scores[pk] = Score(
                str(days),
                points,
                gettext_noop("Approved %(days)s days ago: a short track record."),
                {"days": str(days)},
            )
    return scores


def register_merchant_factors() -> None:
    register(
        Factor(
            "mcc",
            gettext_noop("Business category (MCC)"),
            10,
            mcc_scores,
            Score("", 0, gettext_noop("The MCC is not on the high-risk list.")),
        )
    )
    register(
        Factor(
            "region",
            gettext_noop("Region"),
            20,
            region_scores,
            Score("", 0, gettext_noop("The region is not on the high-risk list.")),
        )
    )
    register(
        Factor(
            "age",
            gettext_noop("Time since approval"),
            30,
            age_scores,
            Score(
                f"≥ {AGE_POINTS[-1][0]}",
                0,
                gettext_noop("Approved a year ago or more."),
            ),
        )
    )
