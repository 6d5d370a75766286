"""A Celery worker SIGKILLed mid-import and mid-audit: a new worker finishes, nothing twice.

Real ``celery -A portal worker`` processes on PostgreSQL and Redis (``fault_support.py``). The
moment of the kill is made certain the way ``test_celery_worker.py`` does it: the test holds a row
lock the worker needs halfway through (a terminal's row for the second chunk of a batch file, a
merchant's row for its alert), waits until the worker blocks on it, and kills it there. Tasks ack
late, so the message comes back (after the test settings' 3-second visibility timeout) to the new
worker, which must finish the work without storing a report or raising an alert a second time.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from merchants.models import Merchant, Terminal
from tests.reliability.fault_support import (
    letter_id,
    queued_upload,
    reports_for,
    rollup_reports,
    stored_once,
    upload_done,
    worker_processes,
)
from tests.reliability.scoreboard import record
from tests.transactions.audit.helpers import plant
from tests.transactions.audit.test_celery_worker import (
    _a_backend_waits_for_a_lock,
    require_postgres_and_redis,
)
from tests.transactions.helpers import report, reporting_terminal
from transactions.audit.runner import ensure_rules
from transactions.ingest.services import report_ingest_one
from transactions.ingest.uploads import CHUNK_ROWS
from transactions.models import (
    Alert,
    AlertReport,
    AuditRule,
    AuditRun,
    Report,
    RowOutcome,
    RunStatus,
    UploadRowResult,
    UploadStatus,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes(tmp_path: Path):
    require_postgres_and_redis()
    procs = worker_processes(tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()


def test_a_worker_killed_mid_import_leaves_every_row_stored_once(processes):
    first = reporting_terminal()
    second = reporting_terminal(merchant=first.merchant)
    already = report(second, report_id=letter_id())
    assert report_ingest_one(terminal=second, raw=already).status == "accepted"
    # The first chunk is the first terminal's only; the worker blocks on the second terminal.
    rows = reports_for(first, CHUNK_ROWS) + reports_for(second, 2 * CHUNK_ROWS)
    rows[CHUNK_ROWS + 10]["amount"] = "-1.00"
    rows[CHUNK_ROWS + 20]["amount"] = "12.345"
    rows.append(already)
    upload = queued_upload(first.merchant, rows, "killed-mid-import.csv")

    with transaction.atomic():
        Terminal.objects.select_for_update().get(pk=second.pk)
        worker = processes.worker("worker-1")
        with processes.sender() as sender:
            sender.send_task("transactions.tasks.process_upload", args=[upload.pk])
        processes.wait_for("the import blocked on the second chunk", _a_backend_waits_for_a_lock)
        upload.refresh_from_db()
        # The progress shows the first chunk stored when the worker dies.
        assert upload.status == UploadStatus.PROCESSING
        assert upload.processed_rows == CHUNK_ROWS
        assert Report.objects.filter(terminal=first).count() == CHUNK_ROWS
        processes.kill(worker)

    processes.worker("worker-2")
    processes.wait_for("the upload finished by the second worker", lambda: upload_done(upload.pk))

    upload.refresh_from_db()
    valid_ids = [
        r["report_id"] for i, r in enumerate(rows) if i not in (CHUNK_ROWS + 10, CHUNK_ROWS + 20)
    ]
    figures = stored_once(valid_ids)
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert (upload.total_rows, upload.processed_rows) == (len(rows), len(rows))
    assert (upload.accepted, upload.duplicates, upload.rejected) == (len(rows) - 3, 1, 2)
    outcomes = Counter(
        UploadRowResult.objects.filter(upload=upload).values_list("outcome", flat=True)
    )
    assert outcomes == {
        RowOutcome.ACCEPTED: len(rows) - 3,
        RowOutcome.DUPLICATE: 1,
        RowOutcome.REJECTED: 2,
    }
    lines = UploadRowResult.objects.filter(upload=upload).values_list("line", flat=True)
    assert len(set(lines)) == len(rows)  # one result per line, none left from the killed attempt
    assert (
        rollup_reports([first.pk, second.pk])
        == Report.objects.filter(terminal__in=[first, second]).count()
    )

    record("faults", "worker SIGKILLed mid-import (batch file)", 1)
    record("faults", "mid-import: rows in the file", len(rows))
    record("faults", "mid-import: rows stored before the kill", CHUNK_ROWS)
    record("faults", "mid-import: reports stored", figures["stored"])
    record("faults", "mid-import: reports lost", figures["lost"])
    record("faults", "mid-import: reports duplicated", figures["duplicated"])


@pytest.fixture
def planted() -> dict[str, list[Merchant]]:
    """Late reports at two merchants and MCC jumps at two others, only those two rules on."""
    ensure_rules()
    AuditRule.objects.exclude(code__in=("late_report", "mcc_jump")).update(enabled=False)
    received = timezone.now() - timedelta(minutes=5)
    found: dict[str, list[Merchant]] = {"late_report": [], "mcc_jump": []}
    for _ in range(2):
        late, jumping = reporting_terminal(), reporting_terminal()
        plant(late, at=received - timedelta(hours=30), received=received)
        plant(jumping, mcc="5812", received=received)
        plant(jumping, mcc="5812", received=received)
        found["late_report"].append(late.merchant)
        found["mcc_jump"].append(jumping.merchant)
    return found


def test_a_worker_killed_mid_audit_raises_every_alert_once(processes, planted):
    with transaction.atomic():
        # The worker writes the late-report alerts, then blocks on the jumping merchants' rows.
        list(
            Merchant.objects.select_for_update().filter(pk__in=[m.pk for m in planted["mcc_jump"]])
        )
        worker = processes.worker("worker-1")
        with processes.sender() as sender:
            sender.send_task("transactions.tasks.run_audit", kwargs={"trigger": "test"})
        processes.wait_for("the audit blocked on a merchant's row", _a_backend_waits_for_a_lock)
        assert Alert.objects.filter(rule__code="late_report").count() == 2
        processes.kill(worker)

    processes.worker("worker-2")
    processes.wait_for(
        "the run completed by the second worker",
        lambda: AuditRun.objects.filter(status=RunStatus.DONE).exists(),
    )
    # A second run over the same reports finds the same alerts and raises none again.
    with processes.sender() as sender:
        sender.send_task("transactions.tasks.run_audit", kwargs={"trigger": "test"})
    processes.wait_for(
        "a second finished run", lambda: AuditRun.objects.filter(status=RunStatus.DONE).count() == 2
    )

    expected = sorted((code, m.pk) for code, ms in planted.items() for m in ms)
    assert sorted(Alert.objects.values_list("rule__code", "merchant_id")) == expected
    fingerprints = list(Alert.objects.values_list("fingerprint", flat=True))
    duplicated = len(fingerprints) - len(set(fingerprints))
    links = list(AlertReport.objects.values_list("alert_id", "report_id"))
    assert duplicated == 0
    assert len(links) == len(set(links)) == Report.objects.count() == 6

    record("faults", "worker SIGKILLed mid-audit", 1)
    record("faults", "mid-audit: alerts expected", len(expected))
    record("faults", "mid-audit: alerts raised", len(fingerprints))
    record("faults", "mid-audit: alerts duplicated (by fingerprint)", duplicated)
