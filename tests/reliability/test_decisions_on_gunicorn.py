"""The Decisions contract against a real server: gunicorn, PostgreSQL and Redis (shared/API.md).

A terminal posts over HTTP, signed; the screening state is in a Redis database of this test's own.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import redis
from django.db import connection

from merchants.terminals.services import terminal_key_issue
from tests.reliability.test_faults_db_drop import Server
from tests.transactions.decisions.test_state import TEST_REDIS_URL, needs_redis
from tests.transactions.helpers import BATCH, REPORTS, report, reporting_terminal
from transactions.api.authentication import sign
from transactions.models import Decision, Hold, StateSource

pytestmark = [pytest.mark.django_db(transaction=True), needs_redis]


@pytest.fixture
def server(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the server and the test share the database")
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    monkeypatch.setenv("DECISIONS_REDIS_URL", TEST_REDIS_URL)
    web = Server(tmp_path / "gunicorn.log")
    try:
        yield web
    finally:
        web.stop()
        redis.Redis.from_url(TEST_REDIS_URL).flushdb()


def _call(server, key, secret, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    body = json.dumps(payload).encode() if payload is not None else b""
    ts = str(int(time.time()))
    request = urllib.request.Request(
        server.url + path,
        data=body if method == "POST" else None,
        method=method,
        headers={
            "Content-Type": "application/json",
            "Accept-Language": "en",
            "X-Terminal-Key": key.key_id,
            "X-Timestamp": ts,
            "X-Signature": sign(secret, ts, method, path, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_held_sale_is_answered_held_resent_alike_and_read_back(server):
    terminal = reporting_terminal()
    key, secret = terminal_key_issue(terminal=terminal)
    held = report(terminal, mcc="5999" if terminal.merchant.mcc != "5999" else "5411")

    status, answer = _call(server, key, secret, "POST", REPORTS, held)
    assert status == 201
    decision = answer["decision"]
    assert decision["outcome"] == "hold"
    assert [r["code"] for r in decision["reasons"]] == ["mcc_mismatch"]
    assert "registered under" in decision["reasons"][0]["message"]
    assert Hold.objects.active().filter(report__report_id=held["report_id"]).exists()

    status, again = _call(server, key, secret, "POST", REPORTS, held)
    assert (status, again["status"], again["decision"]) == (200, "duplicate", decision)

    status, stored = _call(server, key, secret, "GET", f"{REPORTS}{held['report_id']}/")
    assert status == 200
    assert stored["decision"] == decision and stored["held"] is True


def test_a_batch_lists_what_is_not_accepted_and_the_state_comes_from_redis(server):
    terminal = reporting_terminal()
    key, secret = terminal_key_issue(terminal=terminal)
    fine = report(terminal)
    odd = report(terminal, acquirer_mid="898000000000001")
    status, answer = _call(server, key, secret, "POST", BATCH, {"reports": [fine, odd]})
    assert status == 200
    assert answer["accepted"] == 2
    assert [(d["index"], d["report_id"], d["outcome"]) for d in answer["decisions"]] == [
        (1, odd["report_id"], "hold")
    ]
    sources = set(Decision.objects.values_list("state_source", flat=True))
    # A Redis that has just started holding the state asks the database for older windows.
    assert sources <= {StateSource.REDIS, StateSource.DATABASE}
