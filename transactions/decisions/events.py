"""The webhooks' events of a screening: alerts opened, sales sent for review, reports held.

Recorded through ``portal.common.events`` in the screening's own transaction (the outbox), so a
report whose storing is rolled back announces nothing.
"""

from __future__ import annotations

from portal.common import events
from transactions.decisions.base import Decided, Screened, TerminalFacts
from transactions.models import DecisionOutcome, Hold
from transactions.models.event_data import alerts_described, hold_data


def decision_events(
    reports: list[Screened],
    flagged: list[Decided],
    facts: TerminalFacts,
    *,
    opened: list[int],
    holds: list[Hold],
) -> None:
    """The webhooks' events of a screening, in its transaction: alerts opened, reviews, holds."""
    if opened and events.event_wanted(events.ALERT_OPENED):
        events.events_record(event_type=events.ALERT_OPENED, events=alerts_described(opened))
    uuids = {report.pk: report.report_id for report in reports}
    if events.event_wanted(events.DECISION_REVIEW):
        reviews = [d for d in flagged if d.outcome == DecisionOutcome.REVIEW]
        events.events_record(
            event_type=events.DECISION_REVIEW,
            events=[
                (
                    d.merchant_id,
                    {
                        "decision_id": str(d.decision_id),
                        "report_id": str(uuids[d.report_id]),
                        "mid": facts.merchant_mid,
                        "tid": facts.tid,
                        "outcome": d.outcome,
                        "reasons": [reason["code"] for reason in d.reasons],
                        "alert_id": d.alert_id,
                    },
                )
                for d in reviews
            ],
        )
    if holds and events.event_wanted(events.REPORT_HELD):
        merchant_id = flagged[0].merchant_id
        events.events_record(
            event_type=events.REPORT_HELD,
            events=[
                (
                    merchant_id,
                    hold_data(
                        hold, mid=facts.merchant_mid, tid=facts.tid, report_id=uuids[hold.report_id]
                    ),
                )
                for hold in holds
            ],
        )
