"""POST /api/v1/terminal/reports/: accepted once, duplicates and conflicts recognised."""

import uuid

import pytest

from tests.transactions.helpers import REPORTS, TerminalAPI, report
from transactions.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def test_valid_report_is_accepted_and_stored(api):
    payload = report(api.terminal)
    response = api.post(REPORTS, payload)
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "report_id": payload["report_id"],
        "status": "accepted",
        "decision": {
            "decision_id": body["decision"]["decision_id"],
            "outcome": "accept",
            "reasons": [],
        },
    }
    stored = Report.objects.get()
    assert stored.terminal == api.terminal and stored.merchant == api.terminal.merchant
    assert str(stored.amount) == "128.50" and stored.source == "api"
    assert stored.masked_pan == "622848******1234"


def test_same_report_again_is_a_duplicate_and_stores_nothing(api):
    payload = report(api.terminal)
    first = api.post(REPORTS, payload).json()["decision"]
    response = api.post(REPORTS, payload)
    assert response.status_code == 200
    assert response.json() == {
        "report_id": payload["report_id"],
        "status": "duplicate",
        "decision": first,  # the first decision again, not a new one
    }
    assert Report.objects.count() == 1


def test_same_time_in_another_offset_is_the_same_report(api):
    payload = report(api.terminal, occurred_at="2026-11-25T10:00:00+08:00")
    api.post(REPORTS, payload)
    again = {**payload, "occurred_at": "2026-11-25T02:00:00+00:00"}
    assert api.post(REPORTS, again).json()["status"] == "duplicate"


def test_same_id_with_other_content_is_a_conflict(api):
    payload = report(api.terminal)
    api.post(REPORTS, payload)
    response = api.post(REPORTS, {**payload, "amount": "999.00"})
    assert response.status_code == 409
    assert "report_id" in response.json()["errors"]
    assert Report.objects.get().amount == 128.5


def test_same_report_id_on_another_terminal_is_another_report(client, api):
    other = TerminalAPI(client)
    payload = report(api.terminal)
    api.post(REPORTS, payload)
    assert other.post(REPORTS, payload).status_code == 201
    assert Report.objects.count() == 2


def test_stored_report_reads_back(api):
    payload = report(api.terminal)
    api.post(REPORTS, payload)
    response = api.get(f"{REPORTS}{payload['report_id']}/")
    assert response.status_code == 200
    body = response.json()
    assert body["amount"] == "128.50" and body["rrn"] == payload["rrn"]
    assert body["lat"] == pytest.approx(31.235929)


def test_another_terminals_report_is_404(client, api):
    other = TerminalAPI(client)
    payload = report(other.terminal)
    other.post(REPORTS, payload)
    response = api.get(f"{REPORTS}{payload['report_id']}/")
    assert response.status_code == 404
    assert "errors" in response.json()


def test_unknown_report_is_404(api):
    assert api.get(f"{REPORTS}{uuid.uuid4()}/").status_code == 404


def test_config_tells_the_terminal_its_parameters(api):
    body = api.get("/api/v1/terminal/config/").json()
    merchant = api.terminal.merchant
    assert body["tid"] == api.terminal.tid and body["mid"] == merchant.mid
    assert body["mcc"] == merchant.mcc and body["deadline_hours"] == 24
    assert body["reporting_method"] == "api" and "server_time" in body


def test_qr_payment_without_card_number(api):
    payload = report(api.terminal, method="wechat", masked_pan=None, cvm="none")
    assert api.post(REPORTS, payload).status_code == 201


def test_refund_with_its_original(api):
    sale = report(api.terminal)
    api.post(REPORTS, sale)
    refund = report(
        api.terminal, type="refund", original_report_id=sale["report_id"], rrn="331234567891"
    )
    assert api.post(REPORTS, refund).status_code == 201
    assert str(Report.objects.get(type="refund").original_report_id) == sale["report_id"]


def test_reports_cannot_be_edited():
    from transactions.models import ImmutableError

    with pytest.raises(ImmutableError):
        Report.objects.all().update(amount=1)


def test_saving_a_stored_report_again_is_refused(api):
    from transactions.models import ImmutableError

    api.post(REPORTS, report(api.terminal))
    stored = Report.objects.get()
    stored.amount = 1
    with pytest.raises(ImmutableError):
        stored.save()


def test_terminal_last_seen_is_kept(api):
    api.post(REPORTS, report(api.terminal))
    api.terminal.refresh_from_db()
    api.key.refresh_from_db()
    assert api.terminal.last_seen_at is not None
    assert api.key.last_used_at is not None
