"""A terminal loses its network mid-queue and gets it back: every report stored once, in order.

The SDK talks to the real server through a TCP proxy (tests/sdk/proxy.py) that the test cuts and
restores. Sales made online are sent at once; sales made offline are queued; the terminal's
process is restarted; on the way back the link loses the answers of requests the server has
stored (the SDK resends the same report_ids: duplicates, not second reports), goes away again
in the middle of the flush, and a load balancer answers 503 once; the last flush is the CLI's, in
another process. The server is gunicorn on the test's PostgreSQL database (as in production), and
Django's live server on the embedded SQLite default.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from merchants.terminals.services import terminal_key_issue
from tests.reliability.fault_support import letter_id, stored_once
from tests.reliability.scoreboard import record
from tests.reliability.test_faults_db_drop import Server
from tests.sdk.proxy import Proxy
from tests.sdk.support import sdk_terminal
from tests.transactions.helpers import report, reporting_terminal
from transactions.models import Report

pytestmark = pytest.mark.django_db(transaction=True)

CLI = Path(sys.executable).parent / "portal-terminal"


def _sale(terminal, i: int) -> dict:
    return report(terminal, report_id=letter_id(), rrn=f"{i:012d}", trace_no=f"{i:06d}")


def _cut_and_restored(url: str, tmp_path: Path) -> dict[str, int]:
    device = reporting_terminal()
    key, secret = terminal_key_issue(terminal=device)
    proxy = Proxy.before(url)
    queue = tmp_path / "queue.sqlite3"
    made: list[str] = []
    try:
        sdk = sdk_terminal(proxy.url, key, secret, queue, retries=3, batch_size=4)
        for i in range(3):  # online: sent at once, with their decision
            sale = _sale(device, i)
            made.append(sale["report_id"])
            outcome = sdk.report(sale)
            assert (outcome.state, outcome.status) == ("sent", "accepted")
        proxy.cut()
        for i in range(3, 13):  # offline: queued
            sale = _sale(device, i)
            made.append(sale["report_id"])
            assert sdk.report(sale).state == "queued"
        assert sdk.status()["pending"] == 10
        sdk.close()

        # The terminal restarts; the network comes back, lossy, and goes away mid-queue.
        sdk = sdk_terminal(proxy.url, key, secret, queue, retries=3, batch_size=4)
        proxy.restore()
        proxy.drop_responses = 2  # the first batch is stored, its answer lost, twice
        proxy.cut_after = 2  # then two batches are answered and the link drops
        flushed = sdk.flush()
        # Two batches answered, then the cut: the rest waits (on a machine so busy that an
        # attempt times out, the cut comes a batch earlier; the outcome below is the same).
        assert flushed.error and flushed.sent + flushed.pending == 10
        assert flushed.sent in (4, 8)
        for i in range(13, 15):  # still offline
            sale = _sale(device, i)
            made.append(sale["report_id"])
            assert sdk.report(sale).state == "queued"
        sdk.close()

        # Back for good (but for one 503 from the load balancer): the CLI flushes the rest.
        proxy.restore()
        proxy.gateway_errors = 1
        env = {
            **os.environ,
            "PORTAL_TERMINAL_URL": proxy.url,
            "PORTAL_TERMINAL_KEY": key.key_id,
            "PORTAL_TERMINAL_SECRET": secret,
            "PORTAL_TERMINAL_QUEUE": str(queue),
        }
        done = subprocess.run(
            [str(CLI), "flush"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"sent": flushed.pending + 2, "pending": 0}
    finally:
        proxy.cut()

    sdk = sdk_terminal(proxy.url, key, secret, queue)
    assert sdk.status()["sent"] == 15 and sdk.status()["pending"] == sdk.status()["refused"] == 0
    sdk.close()
    stored = (
        Report.objects.filter(terminal=device).order_by("pk").values_list("report_id", flat=True)
    )
    assert [str(rid) for rid in stored] == made  # in the order the terminal made them
    figures = stored_once(made)
    assert figures["lost"] == figures["duplicated"] == 0 and figures["stored"] == len(made)
    assert proxy.dropped == 2 and proxy.refused_503 == 1
    return {**figures, "answers_lost": proxy.dropped}


def test_on_gunicorn_every_report_is_stored_once_in_order(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: gunicorn and the test share the database")
    server = Server(tmp_path / "gunicorn.log")
    try:
        figures = _cut_and_restored(server.url, tmp_path)
    finally:
        server.stop()
    record("faults", "SDK offline queue: reports made across two network cuts", figures["sent"])
    record(
        "faults", "SDK offline queue: answers lost after storing (resent)", figures["answers_lost"]
    )
    record(
        "faults",
        "SDK offline queue: reports lost / duplicated / out of order",
        f"{figures['lost']} / {figures['duplicated']} / 0",
    )


def test_on_the_live_server_every_report_is_stored_once_in_order(live_server, tmp_path):
    _cut_and_restored(live_server.url, tmp_path)
