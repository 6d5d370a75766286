"""The offline queue: durable across a killed process, sent in order, refusals kept with errors."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from portal_terminal import Client, Queue

from merchants.models import TerminalStatus
from merchants.terminals.services import terminal_key_issue
from tests.reliability.fault_support import letter_id
from tests.sdk.support import sdk_terminal
from tests.transactions.helpers import report, reporting_terminal
from transactions.models import Report

WRITER = textwrap.dedent(
    """
    import json, sys, uuid
    from portal_terminal import Queue
    queue = Queue(sys.argv[1])
    base = json.loads(sys.argv[2])
    while True:
        report_id = str(uuid.uuid4())
        queue.add({**base, "report_id": report_id})
        print(report_id, flush=True)
    """
)


def test_reports_committed_before_the_process_is_killed_are_all_there_in_order(tmp_path):
    path = tmp_path / "queue.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), json.dumps(report())],
        stdout=subprocess.PIPE,
        text=True,
    )
    committed = [writer.stdout.readline().strip() for _ in range(200)]
    writer.send_signal(signal.SIGKILL)  # mid-write: no close, no checkpoint
    writer.wait(timeout=10)

    queue = Queue(path)  # "the terminal restarts"
    pending = [row.report_id for row in queue.pending(limit=100_000)]
    assert pending[: len(committed)] == committed
    assert len(pending) == len(set(pending)) >= 200
    assert [row.seq for row in queue.pending(limit=100_000)] == sorted(
        row.seq for row in queue.pending(limit=100_000)
    )
    check = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)


def test_the_queue_file_is_in_wal_mode_and_private(tmp_path):
    queue = Queue(tmp_path / "queue.sqlite3")
    assert queue.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    queue.add(report())
    for path in tmp_path.glob("queue.sqlite3*"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_the_same_report_queued_twice_is_one_row_and_another_content_is_refused(tmp_path):
    from portal_terminal import QueueConflict

    queue = Queue(tmp_path / "queue.sqlite3")
    sale = report()
    assert queue.add(sale).seq == queue.add(dict(sale)).seq
    with pytest.raises(QueueConflict):
        queue.add({**sale, "amount": "999.00"})
    assert queue.counts()["pending"] == 1


@pytest.fixture
def device(transactional_db):
    terminal = reporting_terminal()
    key, secret = terminal_key_issue(terminal=terminal)
    return terminal, key, secret


def _stored_order(terminal) -> list[str]:
    return [
        str(rid)
        for rid in Report.objects.filter(terminal=terminal)
        .order_by("pk")
        .values_list("report_id", flat=True)
    ]


def test_queued_reports_reach_the_server_in_the_order_they_were_made(live_server, device, tmp_path):
    terminal, key, secret = device
    sdk = sdk_terminal(live_server.url, key, secret, tmp_path / "q.sqlite3", batch_size=3)
    sales = [report(terminal, report_id=letter_id(), rrn=f"{i:012d}") for i in range(8)]
    refund = report(
        terminal,
        report_id=letter_id(),
        type="refund",
        amount="10.00",
        original_report_id=sales[2]["report_id"],
    )
    orphan = {**refund, "report_id": letter_id(), "original_report_id": letter_id()}
    made = [*sales, refund, orphan]
    for one in made:
        sdk.queue_report(one)
    flushed = sdk.flush()
    assert (flushed.sent, flushed.refused, flushed.pending) == (10, 0, 0)
    assert _stored_order(terminal) == [one["report_id"] for one in made]

    # The refund found its sale already stored; one whose sale never came is held for it.
    def codes(one):
        return {reason["code"] for reason in sdk.queue.get(one["report_id"]).decision["reasons"]}

    assert "refund_original" not in codes(refund)
    assert "refund_original" in codes(orphan)


def test_a_report_the_server_refuses_is_kept_as_refused_with_its_errors(
    live_server, device, tmp_path
):
    terminal, key, secret = device
    sdk = sdk_terminal(live_server.url, key, secret, tmp_path / "q.sqlite3")
    # Queued by an older SDK before the server tightened a rule: only the server can refuse it.
    stale = sdk.queue.add(report(terminal, trace_no="12345"))
    after = sdk.queue_report(report(terminal))
    flushed = sdk.flush()
    assert (flushed.sent, flushed.refused, flushed.pending) == (1, 1, 0)
    status = sdk.status()
    assert status["refused_reports"] == [
        {
            "report_id": stale.report_id,
            "refused_at": status["refused_reports"][0]["refused_at"],
            "errors": {"trace_no": ["A trace number is 6 digits."]},
        }
    ]
    assert Report.objects.filter(report_id=after.report_id).exists()
    assert sdk.flush().sent == 0  # a refusal is never sent again


def test_a_report_id_stored_with_other_content_is_refused_not_retried(
    live_server, device, tmp_path
):
    terminal, key, secret = device
    first = report(terminal)
    Client(base_url=live_server.url, key_id=key.key_id, secret=secret).report(first)
    sdk = sdk_terminal(live_server.url, key, secret, tmp_path / "q.sqlite3")
    outcome = sdk.report({**first, "amount": "1.00"})
    assert outcome.state == "refused"
    assert list(outcome.errors) == ["report_id"]
    assert Report.objects.get(report_id=first["report_id"]).amount == 128.5


def test_a_batch_with_a_refused_row_sends_the_others(live_server, device, tmp_path):
    terminal, key, secret = device
    sdk = sdk_terminal(live_server.url, key, secret, tmp_path / "q.sqlite3")
    rows = [
        sdk.queue.add(report(terminal, report_id=letter_id())),
        sdk.queue.add(report(terminal, report_id=letter_id(), rrn="short")),
        sdk.queue.add(report(terminal, report_id=letter_id())),
    ]
    flushed = sdk.flush()
    assert (flushed.sent, flushed.refused) == (2, 1)
    assert [sdk.queue.get(row.report_id).state for row in rows] == ["sent", "refused", "sent"]
    assert sdk.queue.get(rows[1].report_id).errors == {"rrn": ["An RRN is 12 letters or digits."]}
    assert _stored_order(terminal) == [rows[0].report_id, rows[2].report_id]


def test_a_suspended_terminal_keeps_its_reports_pending_until_it_may_report(
    live_server, device, tmp_path
):
    terminal, key, secret = device
    terminal.status = TerminalStatus.SUSPENDED
    terminal.save(update_fields=["status"])
    sdk = sdk_terminal(live_server.url, key, secret, tmp_path / "q.sqlite3")
    outcome = sdk.report(report(terminal))
    assert outcome.state == "queued" and "HTTP 403" in outcome.last_error
    assert sdk.status()["refused"] == 0
    terminal.status = TerminalStatus.ACTIVE
    terminal.save(update_fields=["status"])
    assert sdk.flush().sent == 1
    assert Report.objects.filter(report_id=outcome.report_id).count() == 1


def test_a_batch_over_the_body_limit_is_split_until_it_fits(
    live_server, device, tmp_path, settings
):
    terminal, key, secret = device
    settings.TERMINAL_API_MAX_BODY_BYTES = 2000  # about three reports
    sdk = sdk_terminal(live_server.url, key, secret, tmp_path / "q.sqlite3", batch_size=12)
    made = [sdk.queue.add(report(terminal, report_id=letter_id())).report_id for _ in range(12)]
    bodies = [row.body for row in sdk.queue.pending(limit=12)]
    assert (
        len(json.dumps({"reports": bodies[:6]})) > 2000 > len(json.dumps({"reports": bodies[:3]}))
    )
    flushed = sdk.flush()
    assert (flushed.sent, flushed.pending, flushed.error) == (12, 0, None)
    assert _stored_order(terminal) == made


def test_one_flusher_at_a_time_per_queue_file(device, tmp_path):
    terminal, key, secret = device
    first = sdk_terminal("http://127.0.0.1:9", key, secret, tmp_path / "q.sqlite3", retries=0)
    second = sdk_terminal("http://127.0.0.1:9", key, secret, tmp_path / "q.sqlite3", retries=0)
    first.queue.add(report(terminal))
    assert first.queue.take_lease(first.holder)
    busy = second.flush()
    assert (busy.busy, busy.pending, busy.error) == (True, 1, None)
    assert second.queue.get(first.queue.pending(limit=1)[0].report_id).attempts == 0
    first.queue.drop_lease(first.holder)
    assert second.flush().busy is False


def test_pruning_forgets_old_sent_reports_only(tmp_path):
    queue = Queue(tmp_path / "q.sqlite3")
    sent, pending = queue.add(report()), queue.add(report())
    queue.mark_sent(sent.seq, status="accepted", decision=None)
    assert queue.prune(keep_days=1) == 0
    assert queue.prune(keep_days=-1) == 1
    assert [row.report_id for row in queue.pending(limit=10)] == [pending.report_id]
    assert queue.counts() == {"pending": 1, "sent": 0, "refused": 0}
