"""The SDK signs as the server verifies (transactions/api/authentication.py), and retries well."""

from __future__ import annotations

import json
import time

import pytest
from portal_terminal import Client, Refused, Unreachable
from portal_terminal.signing import sign, signed_headers

from merchants.terminals.services import terminal_key_issue
from tests.sdk.proxy import Proxy
from tests.transactions.helpers import REPORTS, report, reporting_terminal
from transactions.api import authentication


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/terminal/config/", b""),
        ("post", "/api/v1/terminal/reports/", json.dumps({"amount": "1.00"}).encode()),
        ("POST", "/api/v1/terminal/reports/batch/", '{"商户": "上海"}'.encode()),
    ],
)
def test_the_signature_is_the_servers(method, path, body):
    assert sign("s3cret", "1764000000", method, path, body) == authentication.sign(
        "s3cret", "1764000000", method, path, body
    )


@pytest.mark.django_db
def test_a_report_signed_by_the_sdk_passes_the_servers_verification(client):
    terminal = reporting_terminal()
    key, secret = terminal_key_issue(terminal=terminal)
    body = json.dumps(report(terminal)).encode()
    headers = signed_headers(
        key_id=key.key_id, secret=secret, method="POST", path=REPORTS, body=body
    )
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    assert client.post(REPORTS, body, content_type="application/json", **meta).status_code == 201
    tampered = body.replace(b"128.50", b"128.51")
    response = client.post(REPORTS, tampered, content_type="application/json", **meta)
    assert response.status_code == 401


@pytest.fixture
def device(transactional_db):
    terminal = reporting_terminal()
    key, secret = terminal_key_issue(terminal=terminal)
    return terminal, key, secret


def _client(url, key, secret, **options):
    sleeps: list[float] = []
    options.setdefault("retries", 3)
    options.setdefault("timeout", 60.0)  # a busy test machine is no network fault
    api = Client(base_url=url, key_id=key.key_id, secret=secret, sleep=sleeps.append, **options)
    return api, sleeps


def test_the_config_is_read_over_http(live_server, device):
    terminal, key, secret = device
    api, _sleeps = _client(live_server.url, key, secret)
    config = api.config()
    assert (config["tid"], config["mid"], config["mcc"]) == (
        terminal.tid,
        terminal.merchant.mid,
        terminal.merchant.mcc,
    )


def test_a_wrong_secret_is_refused_once_and_never_retried(live_server, device):
    _terminal, key, _secret = device
    api, sleeps = _client(live_server.url, key, "not-the-secret")
    with pytest.raises(Refused) as refused:
        api.config()
    assert refused.value.status == 401 and not refused.value.about_the_report
    assert refused.value.errors == {"non_field_errors": ["Wrong signature."]}
    assert sleeps == []


def test_a_terminal_clock_an_hour_behind_is_corrected_from_the_servers_date(live_server, device):
    terminal, key, secret = device
    api, _sleeps = _client(live_server.url, key, secret, clock=lambda: time.time() - 3600)
    assert api.report(report(terminal))["status"] == "accepted"
    assert 3500 < api.clock_offset < 3700


def test_gateway_errors_are_retried_after_retry_after(live_server, device):
    terminal, key, secret = device
    proxy = Proxy.before(live_server.url)
    proxy.gateway_errors = 2
    try:
        api, sleeps = _client(proxy.url, key, secret)
        # "duplicate" if a busy machine timed out the attempt that stored it: retried alike.
        assert api.report(report(terminal))["status"] in ("accepted", "duplicate")
    finally:
        proxy.cut()
    assert proxy.refused_503 == 2
    assert sleeps[:2] == [1.0, 1.0]


def test_a_network_that_stays_down_ends_in_unreachable_after_growing_pauses(device):
    _terminal, key, secret = device
    proxy = Proxy(9)
    proxy.restore()
    url = proxy.url
    proxy.cut()
    api, sleeps = _client(url, key, secret, retries=4, backoff=1.0)
    with pytest.raises(Unreachable, match="ConnectionRefusedError"):
        api.config()
    assert len(sleeps) == 4
    for attempt, pause in enumerate(sleeps):
        assert 2**attempt / 2 <= pause <= 2**attempt
