"""Generating inspection tasks: when each merchant is next due, and the task once it nears.

A merchant's next inspection is due its level's interval (``RiskLevelPolicy.
inspection_every_months``: quarterly for high risk, half-yearly for medium, yearly for low, all
editable) after its last completed one, or after its approval when it was never inspected; after
an outcome of *remediation*, on the day the fix is due (the visit checks it). The task is created
``AHEAD_DAYS`` before that day, and never due sooner than ``MIN_NOTICE_DAYS`` from its creation.

A merchant with fixed premises gets an on-site inspection; one without gets a photo request
(it uploads photos of its business from the portal). Never two open tasks per merchant: the
generator skips merchants with one, and a unique constraint stops a second run racing it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import (
    Inspection,
    InspectionKind,
    InspectionOutcome,
    Merchant,
    RiskLevel,
    RiskLevelPolicy,
)
from merchants.risk.inspections import mail
from merchants.risk.rating.selectors import levels_of
from portal.common import events

AHEAD_DAYS = 30
MIN_NOTICE_DAYS = 14
# At least once a year (the acquiring rules), for merchants not rated yet or a level without a row.
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class GenerationSummary:
    created: int
    on_site: int
    photos: int


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def intervals() -> dict[str, int]:
    """Months between inspections, by level."""
    return dict(RiskLevelPolicy.objects.values_list("level", "inspection_every_months"))


def due_dates(*, merchants: list[Merchant], levels: dict[int, str], today: date) -> dict[int, date]:
    """When each merchant (annotated by :func:`candidates`) is next due, by its level."""
    months = intervals()
    due = {}
    for merchant in merchants:
        every = months.get(levels.get(merchant.pk) or RiskLevel.LOW, DEFAULT_MONTHS)
        fix_due = merchant.last_fix_due  # type: ignore[attr-defined]
        last = merchant.last_completed  # type: ignore[attr-defined]
        if merchant.last_outcome == InspectionOutcome.REMEDIATION and fix_due:  # type: ignore[attr-defined]
            due[merchant.pk] = fix_due
        elif last is not None:
            due[merchant.pk] = add_months(timezone.localdate(last), every)
        elif merchant.approved_at is not None:
            due[merchant.pk] = add_months(timezone.localdate(merchant.approved_at), every)
        else:
            due[merchant.pk] = today
    return due


def candidates(merchants: QuerySet[Merchant] | None = None) -> list[Merchant]:
    """Approved merchants (of ``merchants``) without an open task, with their last completed
    inspection's time, outcome and fix due date."""
    last = Inspection.objects.completed().filter(merchant=OuterRef("pk")).order_by("-completed_at")
    return list(
        (merchants if merchants is not None else Merchant.objects.all())
        .approved()
        .filter(~Exists(Inspection.objects.open().filter(merchant=OuterRef("pk"))))
        .annotate(
            last_completed=Subquery(last.values("completed_at")[:1]),
            last_outcome=Subquery(last.values("outcome")[:1]),
            last_fix_due=Subquery(last.values("remediation_due_on")[:1]),
        )
        .only("pk", "approved_at", "fixed_premises")
        .order_by("pk")
    )


def generate_inspections(*, today: date | None = None) -> GenerationSummary:
    """Create the tasks that are near: one per merchant due within ``AHEAD_DAYS``.

    Each new task is an ``inspection.due`` event, recorded in the transaction that creates it; a
    photo request is e-mailed to the merchant's people once committed. Running it again the same
    day creates nothing (the merchants it served have an open task now).
    """
    today = today or timezone.localdate()
    merchants = candidates()
    # Every rated merchant's level in one query (no list of ids: thousands of merchants).
    levels = levels_of()
    due = due_dates(merchants=merchants, levels=levels, today=today)
    on_site = photos = 0
    for merchant in merchants:
        if due[merchant.pk] - timedelta(days=AHEAD_DAYS) > today:
            continue
        inspection = _create(
            merchant,
            due_on=max(due[merchant.pk], today + timedelta(days=MIN_NOTICE_DAYS)),
            level=levels.get(merchant.pk, ""),
        )
        if inspection is None:
            continue
        if inspection.kind == InspectionKind.ON_SITE:
            on_site += 1
        else:
            photos += 1
    return GenerationSummary(on_site + photos, on_site, photos)


def inspection_schedule(*, merchant: Merchant, due_on: date) -> Inspection:
    """Schedule the merchant's next inspection now, due on ``due_on`` (the demo; a lead's ask).

    Refused when the merchant is not approved or already has an open task.
    """
    if not merchant.is_approved:
        raise ValidationError(_("Only an approved merchant is inspected."), code="not_approved")
    level = levels_of(merchant_ids=[merchant.pk]).get(merchant.pk, "")
    inspection = _create(merchant, due_on=due_on, level=level)
    if inspection is None:  # the unique constraint: one open task per merchant
        raise ValidationError(_("The merchant already has an open inspection."), code="open")
    return inspection


def _create(merchant: Merchant, *, due_on: date, level: str) -> Inspection | None:
    kind = InspectionKind.ON_SITE if merchant.fixed_premises else InspectionKind.PHOTOS
    inspection = Inspection(merchant=merchant, kind=kind, due_on=due_on, level=level)
    inspection._change_reason = f"generated: level {level or 'not rated'}, due {due_on}"
    try:
        with transaction.atomic():
            inspection.save()
            events.event_record(
                event_type=events.INSPECTION_DUE,
                merchant_id=merchant.pk,
                data=inspection_data(inspection),
            )
    except IntegrityError:  # another run created this merchant's task a moment ago
        return None
    if kind == InspectionKind.PHOTOS:
        pk = inspection.pk
        transaction.on_commit(
            lambda: mail.photos_requested(Inspection.objects.get(pk=pk)), robust=True
        )
    return inspection


def inspection_data(inspection: Inspection) -> dict[str, object]:
    """What an ``inspection.due`` event says (it leaves the portal: nothing secret)."""
    return {
        "inspection": inspection.pk,
        "kind": inspection.kind,
        "due_on": inspection.due_on.isoformat(),
        "level": inspection.level,
    }
