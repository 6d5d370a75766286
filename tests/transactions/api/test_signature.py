"""The signature check: who may call the terminal API at all (401) and who may report (403)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from merchants.models import (
    ApplicationStatus,
    Merchant,
    ReportingSettings,
    Terminal,
    TerminalStatus,
)
from merchants.terminals.services import terminal_key_issue, terminal_key_revoke
from tests.transactions.helpers import CONFIG, REPORTS, TerminalAPI, report
from transactions.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def _errors(response):
    return response.json()["errors"]


def test_missing_headers_are_401(client, api):
    response = client.post(REPORTS, report(api.terminal), content_type="application/json")
    assert response.status_code == 401
    assert "non_field_errors" in _errors(response)
    assert response["WWW-Authenticate"]


def test_unknown_key_is_401(api):
    api.key.key_id = "tk_unknown"
    assert api.post(REPORTS, report(api.terminal)).status_code == 401


def test_revoked_key_is_401(api):
    terminal_key_revoke(key=api.key)
    assert api.post(REPORTS, report(api.terminal)).status_code == 401


def test_rotated_key_replaces_the_old_one(client, api):
    old_key, old_secret = api.key, api.secret
    api.key, api.secret = terminal_key_issue(terminal=api.terminal)
    assert api.post(REPORTS, report(api.terminal)).status_code == 201
    api.key, api.secret = old_key, old_secret
    assert api.post(REPORTS, report(api.terminal)).status_code == 401


def test_wrong_signature_is_401(api):
    response = api.post(REPORTS, report(api.terminal), secret="not-the-secret")
    assert response.status_code == 401
    assert not Report.objects.exists()


def test_body_changed_after_signing_is_401(client, api):
    import json

    body = json.dumps(report(api.terminal)).encode()
    headers = api.headers("POST", REPORTS, body)
    tampered = body.replace(b"128.50", b"1.00")
    response = client.post(REPORTS, tampered, content_type="application/json", **headers)
    assert response.status_code == 401


def test_signature_for_another_path_is_401(client, api):
    headers = api.headers("GET", "/api/v1/terminal/reports/batch/", b"")
    assert client.get(CONFIG, **headers).status_code == 401


@pytest.mark.parametrize("skew", [-301, 301, -10_000])
def test_stale_or_future_timestamp_is_401(api, skew):
    response = api.post(REPORTS, report(api.terminal), timestamp=int(time.time()) + skew)
    assert response.status_code == 401
    assert "300" in _errors(response)["non_field_errors"][0]


def test_timestamp_within_300_seconds_is_accepted(api):
    assert (
        api.post(REPORTS, report(api.terminal), timestamp=int(time.time()) - 290).status_code == 201
    )


def test_replayed_request_within_the_window_stores_nothing_new(client, api):
    import json

    body = json.dumps(report(api.terminal)).encode()
    headers = api.headers("POST", REPORTS, body)
    first = client.post(REPORTS, body, content_type="application/json", **headers)
    replay = client.post(REPORTS, body, content_type="application/json", **headers)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["status"] == "duplicate"
    assert Report.objects.count() == 1


def test_replayed_request_after_the_window_is_refused(api):
    response = api.post(REPORTS, report(api.terminal), timestamp=int(time.time()) - 600)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "status", [TerminalStatus.SUSPENDED, TerminalStatus.PENDING, TerminalStatus.RETIRED]
)
def test_terminal_that_is_not_active_is_403(api, status):
    Terminal.objects.filter(pk=api.terminal.pk).update(status=status)
    response = api.post(REPORTS, report(api.terminal))
    assert response.status_code == 403
    assert "not active" in _errors(response)["non_field_errors"][0]


def test_reporting_turned_off_is_403(api):
    ReportingSettings.objects.filter(merchant=api.terminal.merchant).update(enabled=False)
    response = api.post(REPORTS, report(api.terminal))
    assert response.status_code == 403
    assert "turned off" in _errors(response)["non_field_errors"][0]


def test_merchant_not_approved_is_403(api):
    Merchant.objects.filter(pk=api.terminal.merchant_id).update(
        status=ApplicationStatus.UNDER_REVIEW
    )
    assert api.post(REPORTS, report(api.terminal)).status_code == 403


def test_last_seen_is_not_written_on_every_request(api):
    api.post(REPORTS, report(api.terminal))
    api.terminal.refresh_from_db()
    first_seen = api.terminal.last_seen_at
    api.post(REPORTS, report(api.terminal))
    api.terminal.refresh_from_db()
    assert api.terminal.last_seen_at == first_seen
    assert first_seen <= timezone.now()


def test_a_merchant_without_reporting_settings_is_403(api):
    ReportingSettings.objects.filter(merchant=api.terminal.merchant).delete()
    response = api.post(REPORTS, report(api.terminal))
    assert response.status_code == 403
    assert "turned off" in _errors(response)["non_field_errors"][0]


def test_a_report_reads_none_of_the_merchants_encrypted_columns(api):
    """The signature check reads the key with what the checks need, in one query: loading the
    merchant would decrypt its bank account and contact on every request."""
    api.post(REPORTS, report(api.terminal))  # the key's first use is written down once a minute
    with CaptureQueriesContext(connection) as queries:
        assert api.post(REPORTS, report(api.terminal)).status_code == 201
    statements = [query["sql"] for query in queries.captured_queries]
    for column in ("bank_account_number", "contact_phone", "contact_email", "legal_rep_name"):
        assert not [sql for sql in statements if column in sql]
    assert len([sql for sql in statements if 'FROM "merchants_terminalkey"' in sql]) == 1


def test_the_config_still_shows_the_whole_terminal(api):
    response = api.get(CONFIG)
    assert response.status_code == 200
    assert response.json()["serial_number"] == api.terminal.serial_number
    assert response.json()["mid"] == api.terminal.merchant.mid
