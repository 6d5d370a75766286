"""The Redis broker killed and restarted with work queued and running: the work still finishes, once.

Each test runs a redis-server of its own on a free port (never the shared one: other tests use
it), a real Celery worker on it (``fault_support.py``), and kills Redis with SIGKILL while the
worker is in the middle of a batch file (held there by a row lock, as in the worker-kill tests)
and more work waits in the queue: two more files and the parts of an audit run.

- Redis with an append-only file (``appendfsync always``): nothing is lost; the queued messages
  are there after the restart and the worker, once reconnected, does them.
- Redis without persistence (as ``.ci/run`` starts it): the queued messages are gone; that is
  accepted, because the periodic tasks find the work again: ``requeue_stalled_uploads`` sends
  again the uploads still unfinished 30 minutes after they arrived, and ``run_audit`` the parts
  of an audit run still running 30 minutes after it started. The test ages the rows past those
  30 minutes and sends the two tasks, as beat would.

Afterwards, either way: every upload finished, every row stored once, every alert raised once.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from merchants.models import Terminal
from tests.reliability.fault_support import (
    PrivateRedis,
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
from tests.transactions.helpers import reporting_terminal
from transactions.audit.runner import audit_start, ensure_rules
from transactions.ingest.uploads import CHUNK_ROWS
from transactions.models import (
    Alert,
    AlertReport,
    AuditRule,
    AuditRun,
    ReportUpload,
    RunStatus,
    UploadStatus,
)

pytestmark = pytest.mark.django_db(transaction=True)

LATER = timedelta(minutes=31)  # past STALLED_AFTER / STALE_AFTER (30 minutes)


@pytest.fixture(params=[True, False], ids=["aof", "no-persistence"])
def broker(request, tmp_path: Path):
    require_postgres_and_redis()
    server = PrivateRedis(tmp_path / "redis", persistent=request.param)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def processes(broker, tmp_path: Path, monkeypatch):
    # Celery reads CELERY_BROKER_URL before the URL a client app is given: the test's sender
    # must reach the private Redis too.
    monkeypatch.setenv("CELERY_BROKER_URL", broker.url)
    procs = worker_processes(tmp_path, broker_url=broker.url)
    try:
        yield procs
    finally:
        procs.stop_all()


def _all_done(upload_ids: list[int]) -> bool:
    done = ReportUpload.objects.filter(pk__in=upload_ids, status=UploadStatus.DONE).count()
    return done == len(upload_ids) and not AuditRun.objects.exclude(status=RunStatus.DONE).exists()


def test_a_redis_restart_loses_no_upload_and_no_alert(broker, processes):
    ensure_rules()
    AuditRule.objects.exclude(code="late_report").update(enabled=False)
    late = reporting_terminal()
    received = timezone.now() - timedelta(minutes=5)
    plant(late, at=received - timedelta(hours=30), received=received)
    first = reporting_terminal()
    second = reporting_terminal(merchant=first.merchant)
    files = [reports_for(first, CHUNK_ROWS) + reports_for(second, CHUNK_ROWS)]
    files += [reports_for(first, 300), reports_for(first, 300)]
    uploads = [queued_upload(first.merchant, rows, f"file-{i}.csv") for i, rows in enumerate(files)]
    # The uploads and the audit parts go to their own queues (settings.CELERY_TASK_ROUTES).
    queue_keys = [f"{processes.queue}:{queue}" for queue in ("ingest", "audit")]

    with transaction.atomic():
        Terminal.objects.select_for_update().get(pk=second.pk)
        processes.worker("worker")
        with processes.sender() as sender:
            sender.send_task("transactions.tasks.process_upload", args=[uploads[0].pk])
            processes.wait_for("the first file blocked mid-import", _a_backend_waits_for_a_lock)
            run = audit_start(trigger="test")
            for upload in uploads[1:]:
                sender.send_task("transactions.tasks.process_upload", args=[upload.pk])
            for part_id in run.parts.values_list("pk", flat=True):
                sender.send_task("transactions.tasks.audit_part", args=[part_id])
        with broker.client() as client:
            queued = sum(client.llen(key) for key in queue_keys)
        broker.restart()
        with broker.client() as client:
            kept = sum(client.llen(key) for key in queue_keys)
    # The lock is released: the worker finishes the file it held, then reconnects.
    processes.wait_for("the first file finished", lambda: upload_done(uploads[0].pk))

    ids = [u.pk for u in uploads]
    resent = 0
    if broker.persistent:
        assert kept == queued == 2 + run.parts_total
        processes.wait_for("the queued work done after the restart", lambda: _all_done(ids))
    else:
        assert (queued, kept) == (2 + run.parts_total, 0)  # the queued messages are gone
        assert ReportUpload.objects.filter(status=UploadStatus.QUEUED).count() == 2
        # What beat sends, 30 minutes on: the stalled uploads and audit parts go out again.
        ReportUpload.objects.filter(pk__in=ids).update(created_at=timezone.now() - LATER)
        AuditRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - LATER)
        with processes.sender() as sender:
            sender.send_task("transactions.tasks.requeue_stalled_uploads")
            sender.send_task("transactions.tasks.run_audit", kwargs={"trigger": "beat"})
        processes.wait_for("the lost work redone", lambda: _all_done(ids))
        resent = 2 + run.parts_total

    figures = stored_once(r["report_id"] for rows in files for r in rows)
    assert figures["lost"] == figures["duplicated"] == 0
    for upload, rows in zip(uploads, files, strict=True):
        upload.refresh_from_db()
        assert (upload.accepted, upload.duplicates, upload.rejected) == (len(rows), 0, 0)
    assert rollup_reports([first.pk, second.pk]) == figures["stored"]
    fingerprints = list(Alert.objects.values_list("fingerprint", flat=True))
    assert list(Alert.objects.values_list("merchant_id", flat=True)) == [late.merchant_id]
    assert AlertReport.objects.count() == 1

    mode = "AOF" if broker.persistent else "no persistence"
    record("faults", f"Redis SIGKILLed and restarted ({mode})", 1)
    record("faults", f"Redis restart ({mode}): messages queued at the kill", queued)
    record("faults", f"Redis restart ({mode}): messages kept by Redis", kept)
    record("faults", f"Redis restart ({mode}): messages re-sent by the beat recovery", resent)
    record("faults", f"Redis restart ({mode}): reports stored", figures["stored"])
    record("faults", f"Redis restart ({mode}): reports lost", figures["lost"])
    record("faults", f"Redis restart ({mode}): reports duplicated", figures["duplicated"])
    record(
        "faults",
        f"Redis restart ({mode}): alerts duplicated (by fingerprint)",
        len(fingerprints) - len(set(fingerprints)),
    )
