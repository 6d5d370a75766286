"""Reads of inspections: a merchant's dates, the overdue ones, the photos a user may see, and the
counts the regulator report asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from merchants.models import (
    Inspection,
    InspectionKind,
    InspectionOutcome,
    InspectionPhoto,
    InspectionStatus,
    Merchant,
)
from merchants.risk.inspections.schedule import candidates, due_dates
from merchants.risk.rating.selectors import levels_of
from portal.common.beijing import day_bounds


def inspections_done(start: date, end: date) -> dict[str, int]:
    """Inspections completed from ``start`` to ``end`` (Beijing days, both included), by outcome.

    Every outcome is a key (0 when none); on-site inspections and accepted photo requests both
    count, as both are the inspections the acquiring rules ask for.
    """
    since, _end = day_bounds(start)
    _start, until = day_bounds(end)
    counts = dict(
        Inspection.objects.completed()
        .filter(completed_at__gte=since, completed_at__lt=until)
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("pk"))
    )
    return {outcome: counts.get(outcome, 0) for outcome in InspectionOutcome.values}


def overdue_inspections(*, today: date) -> QuerySet[Inspection]:
    """Open inspections past their due date, oldest due first."""
    return (
        Inspection.objects.overdue(today)
        .select_related("merchant", "assignee")
        .order_by("due_on", "pk")
    )


def inspections_of(merchant: Merchant) -> QuerySet[Inspection]:
    return Inspection.objects.filter(merchant=merchant).order_by("-due_on", "-pk")


@dataclass(frozen=True)
class InspectionDates:
    last: Inspection | None  # the last completed
    next_due: date | None  # the open task's due date, else when the next one will be
    open: Inspection | None
    photo_requests: list[Inspection]  # open requests waiting for the merchant's photos
    asked_again: str  # staff's note when they asked for the photos again


def inspection_dates(merchant: Merchant, *, today: date | None = None) -> InspectionDates:
    """What the merchant is shown: its last inspection, the next due date, photos asked for."""
    today = today or timezone.localdate()
    rows = Inspection.objects.filter(merchant=merchant)
    last = rows.completed().order_by("-completed_at").first()
    current = rows.open().first()
    next_due = current.due_on if current else None
    if current is None:
        found = candidates(Merchant.objects.filter(pk=merchant.pk))
        if found:
            levels = levels_of(merchant_ids=[merchant.pk])
            next_due = due_dates(merchants=found, levels=levels, today=today)[merchant.pk]
    waiting = (
        current is not None
        and current.kind == InspectionKind.PHOTOS
        and current.status == InspectionStatus.SCHEDULED
    )
    requests = [current] if waiting and current is not None else []
    note = ""
    if requests:
        step = (
            requests[0]
            .transitions.filter(to_status=InspectionStatus.SCHEDULED)
            .order_by("-created_at", "-pk")
            .first()
        )
        note = step.reason if step else ""
    return InspectionDates(
        last=last, next_due=next_due, open=current, photo_requests=requests, asked_again=note
    )


def photo_visible_to(photo: InspectionPhoto, user: Any, membership: Any) -> bool:
    """Staff who may see inspections see every photo; a merchant's members see their own uploads.

    ``membership`` is the request's (a lazy object that may wrap None: hence ``bool``)."""
    if user.is_staff and user.has_perm("merchants.view_inspectionphoto"):
        return True
    own = bool(membership) and membership.merchant_id == photo.inspection.merchant_id
    return own and photo.by_merchant
