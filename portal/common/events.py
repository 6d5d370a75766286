"""Business events that the portal tells the outside world about (webhooks), by name.

The catalogue of event types lives here, below both apps, so that any feature can say "this
happened" without importing the package that delivers it: ``merchants`` never imports
``transactions``, yet inspections and risk levels (merchants' features) are events too.

A feature calls ``event_record`` in the transaction that makes the change. The function hands the
event to the *recorder* that ``TransactionsConfig.ready()`` registers (the webhook outbox,
``transactions/exchange/webhooks/outbox.py``), which writes it in that same transaction: an event
whose change is rolled back is never sent, and an event that is committed is never lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

REPORT_HELD = "report.held"
DECISION_REVIEW = "decision.review"
ALERT_OPENED = "alert.opened"
ALERT_ASKED = "alert.asked"
ALERT_RESOLVED = "alert.resolved"
COMPLAINT_RECEIVED = "complaint.received"
COMPLAINT_DECIDED = "complaint.decided"
RECONCILIATION_FINISHED = "reconciliation.finished"
INSPECTION_DUE = "inspection.due"
RISK_LEVEL_CHANGED = "risk_level.changed"
# Sent only to the endpoint whose owner asks for it ("send a test event").
PING = "webhook.ping"

EVENT_TYPES: dict[str, Any] = {
    REPORT_HELD: _("A report is held"),
    DECISION_REVIEW: _("A sale is sent for review at report time"),
    ALERT_OPENED: _("An alert is opened"),
    ALERT_ASKED: _("An alert asks the merchant for an answer"),
    ALERT_RESOLVED: _("An alert is resolved (cleared or confirmed)"),
    COMPLAINT_RECEIVED: _("A cardholder complaint is received"),
    COMPLAINT_DECIDED: _("A complaint is decided (upheld, rejected or withdrawn)"),
    RECONCILIATION_FINISHED: _("A reconciliation run finished"),
    INSPECTION_DUE: _("An inspection is due"),
    RISK_LEVEL_CHANGED: _("The merchant's risk level changed"),
}

# (merchant id or None, data); None: an event about no one merchant (staff endpoints only).
Event = tuple[int | None, Mapping[str, Any]]
Recorder = Callable[[str, Sequence[Event]], None]
Wanted = Callable[[str], bool]

_recorder: list[tuple[Recorder, Wanted]] = []


def recorder_register(recorder: Recorder, wanted: Wanted) -> None:
    """Make ``recorder`` the one that writes events (called once, from an app's ``ready()``).

    ``wanted(event_type)`` says whether anyone at all listens to the type, so that a caller about
    to describe thousands of events can skip the work when nobody does.
    """
    _recorder[:] = [(recorder, wanted)]


def event_wanted(event_type: str) -> bool:
    return bool(_recorder) and _recorder[0][1](event_type)


def event_record(*, event_type: str, merchant_id: int | None, data: Mapping[str, Any]) -> None:
    """Record that ``event_type`` happened to ``merchant_id``, in the caller's transaction."""
    events_record(event_type=event_type, events=[(merchant_id, data)])


def events_record(*, event_type: str, events: Sequence[Event]) -> None:
    """Record many events of one type at once (an audit run opens thousands of alerts).

    ``data`` must be JSON-serialisable and hold nothing secret: it leaves the portal. An unknown
    type is a programming error, raised at once rather than sent to no one.
    """
    if event_type not in EVENT_TYPES and event_type != PING:
        raise ValueError(f"unknown event type {event_type!r}")
    if not events:
        return
    if not _recorder:
        raise RuntimeError("no event recorder registered (TransactionsConfig.ready() registers it)")
    _recorder[0][0](event_type, events)
