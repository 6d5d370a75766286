"""The rating factor *inspection results*: the last completed inspection's outcome, and an
inspection left overdue.

A fail weighs most (the premises did not match, or terminals were found elsewhere), a remediation
less; an open inspection past its due date adds its own points (a merchant that cannot be
inspected is a risk in itself). Registered from ``MerchantsConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from merchants.models import Inspection, InspectionOutcome
from merchants.risk.rating.registry import Factor, Rating, Score, register

OUTCOME_POINTS = {InspectionOutcome.FAIL: 30, InspectionOutcome.REMEDIATION: 15}
OVERDUE_POINTS = 10

MESSAGES = {
    InspectionOutcome.FAIL: gettext_noop("The last inspection, on %(date)s, failed."),
    InspectionOutcome.REMEDIATION: gettext_noop(
        "The last inspection, on %(date)s, asked for a fix."
    ),
}
OVERDUE = gettext_noop("An inspection due on %(due)s is not done.")
BOTH = gettext_noop(
    "The last inspection, on %(date)s, was not passed, and one due on %(due)s is not done."
)


def inspection_scores(rating: Rating) -> Mapping[int, Score]:
    today = timezone.localdate(rating.now)
    last = Inspection.objects.completed().filter(merchant=OuterRef("pk")).order_by("-completed_at")
    overdue = Inspection.objects.overdue(today).filter(merchant=OuterRef("pk")).order_by("due_on")
    rows = rating.merchants.annotate(
        last_outcome=Subquery(last.values("outcome")[:1]),
        last_at=Subquery(last.values("completed_at")[:1]),
        overdue_on=Subquery(overdue.values("due_on")[:1]),
    ).values_list("pk", "last_outcome", "last_at", "overdue_on")
    scores = {}
    for pk, outcome, completed_at, overdue_on in rows:
        points = OUTCOME_POINTS.get(outcome, 0)
        params = {}
        if points:
            params["date"] = timezone.localdate(completed_at).isoformat()
        if overdue_on is not None:
            points += OVERDUE_POINTS
            params["due"] = overdue_on.isoformat()
        if not points:
            continue
        if "date" in params and "due" in params:
            message, value = BOTH, f"{outcome}, overdue"
        elif "due" in params:
            message, value = OVERDUE, "overdue"
        else:
            message, value = MESSAGES[outcome], str(outcome)
        scores[pk] = Score(value, points, message, params)
    return scores


def register_inspection_factor() -> None:
    register(
        Factor(
            "inspection",
            gettext_noop("Inspection results"),
            75,
            inspection_scores,
            Score("", 0, gettext_noop("Inspections passed and up to date.")),
        )
    )
