"""What a webhook event says about an alert, a hold, a complaint: the ``data`` of its body.

Here, beside the models, so that every feature emitting an event (alerts, holds, decisions,
complaints, reconciliation) shapes it the same way without importing another feature. Ids the
merchant knows (MID, TID, the terminal's report id), never card data or a complainant's contact.
"""

from __future__ import annotations

from typing import Any

from transactions.models.alert import Alert, Hold
from transactions.models.complaint import Complaint


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def alert_data(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.pk,
        "mid": alert.merchant.mid,
        "tid": alert.terminal.tid if alert.terminal_id else None,
        "rule": alert.rule.code,
        "severity": alert.severity,
        "status": alert.status,
        "report_count": alert.report_count,
        "due_at": _iso(alert.due_at),
    }


def alerts_described(ids: list[int]) -> list[tuple[int, dict[str, Any]]]:
    """(merchant id, data) of each alert, in one query reading only what the data needs."""
    alerts = (
        Alert.objects.filter(pk__in=ids)
        .select_related("merchant", "terminal", "rule")
        .only(
            *("id", "merchant_id", "terminal_id", "rule_id", "severity", "status"),
            *("report_count", "due_at", "merchant__mid", "terminal__tid", "rule__code"),
        )
        .order_by("pk")
    )
    return [(alert.merchant_id, alert_data(alert)) for alert in alerts]


def hold_data(hold: Hold, *, mid: str, tid: str | None, report_id: Any) -> dict[str, Any]:
    """A hold of one report (``report_id``, the terminal's id) or of a whole terminal (None)."""
    return {
        "hold_id": hold.pk,
        "alert_id": hold.alert_id,
        "mid": mid,
        "tid": tid,
        "report_id": str(report_id) if report_id is not None else None,
        "whole_terminal": report_id is None,
        "reason": hold.reason,
    }


def complaint_data(complaint: Complaint) -> dict[str, Any]:
    return {
        "complaint_id": complaint.pk,
        "mid": complaint.merchant.mid,
        "report_id": str(complaint.report.report_id),
        "reason": complaint.reason.code,
        "channel": complaint.channel,
        "status": complaint.status,
        "outcome": complaint.outcome or None,
        "due_at": _iso(complaint.due_at),
    }
