"""Legal holds: placing and releasing them, and what they keep from deletion.

A merchant-level hold keeps everything of the merchant: its reports stay in the hot table and its
archive files are never deleted. A case-level hold (an alert or a complaint) keeps the case's
reports (which stay hot anyway: they are referenced) and the merchant's archived months that
hold them. Holds are checked when a deletion is proposed and again when it is carried out, so a
hold placed in between still wins.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from portal.common.beijing import SHANGHAI
from transactions.models import Alert, Complaint, LegalHold, Report

PERMISSION = "transactions.manage_legal_hold"


def legal_hold_place(
    *,
    merchant: Merchant,
    actor: Any,
    reason: str,
    alert: Alert | None = None,
    complaint: Complaint | None = None,
    starts_at: datetime | None = None,
    until: datetime | None = None,
) -> LegalHold:
    """Place a hold on the merchant, or on one of its cases; refuses bad input field by field."""
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Only compliance leads place legal holds."))
    starts_at = starts_at or timezone.now()
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the data must be kept.")]
    if alert is not None and complaint is not None:
        errors["complaint"] = [_("A hold names one case: an alert or a complaint, not both.")]
    for name, case in (("alert", alert), ("complaint", complaint)):
        if case is not None and case.merchant_id != merchant.pk:
            errors[name] = [_("This case is not the merchant's.")]
    if until is not None and until <= starts_at:
        errors["until"] = [_("The end must be after the start.")]
    if errors:
        raise ValidationError(errors)
    hold = LegalHold(
        merchant=merchant,
        alert=alert,
        complaint=complaint,
        reason=reason.strip(),
        starts_at=starts_at,
        until=until,
        placed_by=actor,
    )
    hold._change_reason = f"placed: {reason.strip()}"  # type: ignore[attr-defined]
    hold.save()
    return hold


def legal_hold_release(*, hold: LegalHold, actor: Any, reason: str) -> LegalHold:
    """Release a hold (a lead, with a reason); the hold stays on record with who and why."""
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Only compliance leads release legal holds."))
    if not (reason or "").strip():
        raise ValidationError({"release_reason": [_("Say why the hold ends.")]})
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.released_at is not None:
            raise ValidationError(_("This hold was already released."))
        hold.released_at = timezone.now()
        hold.released_by = actor
        hold.release_reason = reason.strip()
        hold._change_reason = f"released: {reason.strip()}"  # type: ignore[attr-defined]
        hold.save()
    return hold


def held_merchant_ids(at: datetime | None = None) -> set[int]:
    """Merchants under a merchant-level hold now."""
    holds = LegalHold.objects.active(at).filter(alert__isnull=True, complaint__isnull=True)
    return set(holds.values_list("merchant_id", flat=True))


def case_report_times(at: datetime | None = None) -> list[tuple[int, datetime]]:
    """(merchant, occurred_at) of every report of a case under hold now."""
    holds = LegalHold.objects.active(at).exclude(alert__isnull=True, complaint__isnull=True)
    alert_ids = [h for h in holds.values_list("alert_id", flat=True) if h]
    complaint_ids = [h for h in holds.values_list("complaint_id", flat=True) if h]
    reports = Report.objects.filter(alerts__in=alert_ids) | Report.objects.filter(
        complaints__in=complaint_ids
    )
    return list(reports.values_list("merchant_id", "occurred_at").distinct())


def case_held_months(at: datetime | None = None) -> set[tuple[int, date]]:
    """(merchant, Beijing month) pairs that hold a report of a case under hold now."""
    return {
        (merchant_id, occurred.astimezone(SHANGHAI).date().replace(day=1))
        for merchant_id, occurred in case_report_times(at)
    }


def holds_in_force(at: datetime | None = None) -> list[dict[str, Any]]:
    """The holds in force now, as a deletion job's plan lists them."""
    return [
        {
            "id": h.pk,
            "merchant_id": h.merchant_id,
            "alert_id": h.alert_id,
            "complaint_id": h.complaint_id,
            "reason": h.reason,
            "until": h.until.isoformat() if h.until else None,
        }
        for h in LegalHold.objects.active(at).order_by("pk")
    ]
