"""Each event comes from the service where it happens, in that service's transaction."""

from __future__ import annotations

import pytest

from portal.common import events
from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory, raised_alert
from tests.transactions.complaint_factories import (
    ComplaintFactory,
    lead,
    reason,
    reviewer,
    stored_report,
)
from tests.transactions.decisions.helpers import decide
from tests.transactions.helpers import TerminalAPI
from tests.transactions.reconciliation.factories import line_for, upload
from transactions.alerts.services import alert_transition
from transactions.complaints.services import complaint_record, complaint_transition
from transactions.exchange.webhooks.services import endpoint_create
from transactions.models import AlertStatus, ComplaintStatus, WebhookEvent
from transactions.reports.holds import hold_place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def acquirer_endpoint(receiver):
    """The acquirer's endpoint, wanting every event of every merchant."""
    endpoint, _secret = endpoint_create(
        merchant=None,
        url=receiver.url,
        events=list(events.EVENT_TYPES),
        actor=StaffFactory(is_superuser=True),
    )
    return endpoint


def _data(event_type):
    return [e.data for e in WebhookEvent.objects.filter(event_type=event_type).order_by("pk")]


def test_an_audit_opens_an_alert():
    alert = raised_alert()
    [data] = _data(events.ALERT_OPENED)
    assert data["alert_id"] == alert.pk and data["rule"] == "mcc_jump"
    assert data["mid"] == alert.merchant.mid and data["tid"] == alert.terminal.tid


def test_asking_the_merchant_and_resolving_an_alert():
    alert = AlertFactory()
    staff = StaffFactory(groups=["compliance reviewer"])
    alert_transition(alert=alert, name="take", actor=staff)
    alert_transition(alert=alert, name="ask_merchant", actor=staff, reason="Why?")
    assert [d["question"] for d in _data(events.ALERT_ASKED)] == ["Why?"]
    alert.status = AlertStatus.IN_REVIEW
    alert.save()
    alert_transition(alert=alert, name="clear", actor=staff, reason="Explained")
    [resolved] = _data(events.ALERT_RESOLVED)
    assert resolved["status"] == "cleared" and resolved["alert_id"] == alert.pk


def test_a_lead_holding_an_alert_reports():
    alert = raised_alert()
    hold_place(alert=alert, actor=StaffFactory(groups=["compliance lead"]), reason="Jumping")
    [data] = _data(events.REPORT_HELD)
    report = alert.reports.get()
    assert data["report_id"] == str(report.report_id) and data["alert_id"] == alert.pk
    assert data["whole_terminal"] is False and data["reason"] == "Jumping"


def test_screening_holds_and_reviews_at_report_time(client):
    api = TerminalAPI(client)
    held = decide(api, mcc="5812")
    reviewed = decide(api, amount="5000.00")
    [hold] = _data(events.REPORT_HELD)
    [review] = _data(events.DECISION_REVIEW)
    assert hold["tid"] == api.terminal.tid and hold["report_id"] is not None
    assert review["decision_id"] == reviewed["decision_id"]
    assert review["reasons"] == ["round_amount"]
    assert len(_data(events.ALERT_OPENED)) == 2
    assert held["outcome"] == "hold"


def test_a_complaint_received_and_decided():
    report = stored_report()
    complaint = complaint_record(
        report=report,
        reason=reason(),
        description="Charged twice",
        actor=reviewer(),
        complainant_name="王小明",
        complainant_phone="139 1234 5678",
    )
    [received] = _data(events.COMPLAINT_RECEIVED)
    assert received["complaint_id"] == complaint.pk
    assert "王小明" not in str(received) and "13912345678" not in str(received)
    complaint = ComplaintFactory(status=ComplaintStatus.UNDER_REVIEW)
    complaint_transition(complaint=complaint, name="reject", actor=lead(), reason="Signed slip")
    [decided] = _data(events.COMPLAINT_DECIDED)
    assert decided["status"] == "rejected" and decided["complaint_id"] == complaint.pk


def test_a_reconciliation_run_finishing(django_capture_on_commit_callbacks):
    report = stored_report()
    with django_capture_on_commit_callbacks(execute=True):
        upload([line_for(report)], merchant=report.merchant)
    [data] = _data(events.RECONCILIATION_FINISHED)
    assert data["mid"] == report.merchant.mid and data["status"] == "done"
    assert data["counts"] == {"matched": 1}


def test_a_generated_inspection_is_an_inspection_due_event():
    from datetime import datetime

    from merchants.risk.inspections.schedule import generate_inspections
    from portal.common.beijing import SHANGHAI
    from tests.factories import MerchantFactory

    merchant = MerchantFactory(approved=True, approved_at=datetime(2025, 1, 1, tzinfo=SHANGHAI))
    generate_inspections()
    event = WebhookEvent.objects.get(event_type=events.INSPECTION_DUE)
    inspection = merchant.inspections.get()
    assert event.merchant_id == merchant.pk
    assert event.data == {
        "inspection": inspection.pk,
        "kind": "on_site",
        "due_on": inspection.due_on.isoformat(),
        "level": "",
    }
    generate_inspections()
    assert WebhookEvent.objects.filter(event_type=events.INSPECTION_DUE).count() == 1
