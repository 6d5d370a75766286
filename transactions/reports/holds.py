"""Interception: holding an alert's reports (or its terminal) until staff release them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from portal.common import events
from transactions.models import SEVERITY_RANK, Alert, AlertStatus, Hold, Severity
from transactions.models.event_data import hold_data


def _require(actor: Any) -> None:
    if not actor.has_perm("transactions.hold_reports"):
        raise PermissionDenied(_("You are not allowed to place or release holds."))


@transaction.atomic
def hold_place(*, alert: Alert, actor: Any, reason: str, terminal: bool = False) -> list[Hold]:
    """Hold the alert's reports (or its terminal). Only for confirmed or high-severity alerts.

    Reports (or the terminal) already held stay under their existing hold: one active hold each.
    A cleared alert holds nothing, whatever its severity: staff found nothing wrong.
    """
    _require(actor)
    if not reason.strip():
        raise ValidationError(_("A reason is required."))
    if alert.status == AlertStatus.CLEARED:
        raise ValidationError(_("This alert was cleared; its reports cannot be put on hold."))
    if (
        alert.status != AlertStatus.CONFIRMED
        and SEVERITY_RANK[alert.severity] < SEVERITY_RANK[Severity.HIGH]
    ):
        raise ValidationError(_("Only confirmed or high-severity alerts can put reports on hold."))
    if terminal:
        if alert.terminal_id is None:
            raise ValidationError(_("This alert is not about one terminal."))
        if Hold.objects.filter(terminal_id=alert.terminal_id, released_at__isnull=True).exists():
            return []
        hold = Hold.objects.create(
            alert=alert, terminal_id=alert.terminal_id, reason=reason.strip(), placed_by=actor
        )
        _announce(alert, [hold], {})
        return [hold]
    held = set(
        Hold.objects.filter(report__in=alert.reports.all(), released_at__isnull=True).values_list(
            "report_id", flat=True
        )
    )
    ids = dict(alert.reports.values_list("id", "report_id"))
    holds = [
        Hold(alert=alert, report_id=pk, reason=reason.strip(), placed_by=actor)
        for pk in ids
        if pk not in held
    ]
    # With history, like every other hold change: a plain bulk_create would leave no record.
    placed = bulk_create_with_history(holds, Hold, default_user=actor)
    _announce(alert, placed, ids)
    return placed


def _announce(alert: Alert, holds: list[Hold], report_ids: dict[int, object]) -> None:
    """``report.held`` for each new hold, in the transaction that placed it (webhooks)."""
    if not holds or not events.event_wanted(events.REPORT_HELD):
        return
    mid = alert.merchant.mid
    tid = alert.terminal.tid if alert.terminal_id else None
    events.events_record(
        event_type=events.REPORT_HELD,
        events=[
            (
                alert.merchant_id,
                hold_data(hold, mid=mid, tid=tid, report_id=report_ids.get(hold.report_id)),
            )
            for hold in holds
        ],
    )


@transaction.atomic
def hold_release(*, hold: Hold, actor: Any, reason: str) -> Hold:
    """Release an active hold; only staff allowed to hold may, and they must say why."""
    _require(actor)
    if not reason.strip():
        raise ValidationError(_("A reason is required."))
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise ValidationError(_("This hold was already released."))
    hold.released_at = timezone.now()
    hold.released_by = actor
    hold.release_reason = reason.strip()
    hold.save()
    return hold
