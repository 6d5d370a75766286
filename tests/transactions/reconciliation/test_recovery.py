"""An import or a run that stopped midway is found again and finishes, storing nothing twice.

A killed worker is played by raising SystemExit (a BaseException, as the worker's own shutdown
is) where the work would be; an unexpected error by raising RuntimeError there.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import StaffFactory
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import line_for, upload
from transactions.models import (
    FileStatus,
    ReconciliationItem,
    ReconciliationRun,
    RunStatus,
    SettlementFile,
    SettlementLine,
    SettlementLineError,
)
from transactions.reconciliation import importer
from transactions.reconciliation import services as service
from transactions.reconciliation.importer import settlement_file_import
from transactions.reconciliation.services import (
    STALLED_AFTER,
    reconciliation_run,
    settlement_file_retry,
    settlement_files_stalled,
)
from transactions.reconciliation.workflow import file_move
from transactions.tasks import import_settlement_file, reconcile_pending_files

pytestmark = pytest.mark.django_db


def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def report():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001")


def two_lines(report) -> SettlementFile:
    return upload([line_for(report), line_for(report, rrn="331200000002", amount="x")])


def aged(settlement: SettlementFile, status: str) -> SettlementFile:
    SettlementFile.objects.filter(pk=settlement.pk).update(
        status=status, created_at=timezone.now() - STALLED_AFTER - timedelta(minutes=1)
    )
    settlement.refresh_from_db()
    return settlement


def left_importing(settlement: SettlementFile) -> None:
    """What a worker killed mid-file leaves: the file importing, some of its rows stored."""
    assert file_move(settlement, "start_import", reason="test")
    SettlementLine.objects.create(
        file=settlement, line_no=2, settlement_date=shanghai(2, 0).date(), mid="8" * 15,
        tid="1" * 8, rrn="1", amount=1, day=shanghai(2, 0).date(), day_start=timezone.now(),
        day_end=timezone.now(),
    )  # fmt: skip
    SettlementLineError.objects.create(file=settlement, line_no=3, errors={"amount": ["x"]})


def test_an_import_found_unfinished_starts_again_and_stores_each_line_once(report):
    settlement = two_lines(report)
    left_importing(settlement)
    settlement = settlement_file_import(file_id=settlement.pk)
    assert settlement.status == FileStatus.IMPORTED
    assert (settlement.line_count, settlement.error_count) == (1, 1)
    assert SettlementLine.objects.get().rrn == report.rrn
    assert SettlementLineError.objects.count() == 1
    assert not settlement.file  # read to the end: deleted only now


def test_a_redelivered_task_finishes_an_unfinished_import_and_reconciles(report):
    settlement = two_lines(report)
    left_importing(settlement)
    run_id = import_settlement_file(settlement.pk)
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.DONE
    assert ReconciliationRun.objects.get(pk=run_id).matched == 1


def test_an_unexpected_error_fails_the_file_keeps_its_bytes_and_stores_nothing(report, monkeypatch):
    settlement = two_lines(report)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Writer, "write", broken)
    monkeypatch.setattr(importer, "_fast_path", lambda *args: None)
    with pytest.raises(RuntimeError):
        settlement_file_import(file_id=settlement.pk)
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.FAILED
    assert "retry" in settlement.error
    assert settlement.file  # kept for the retry
    assert not SettlementLine.objects.exists() and not SettlementLineError.objects.exists()


def test_a_failed_import_retried_from_its_bytes_finishes(
    report, monkeypatch, django_capture_on_commit_callbacks
):
    settlement = two_lines(report)
    with monkeypatch.context() as patched:
        patched.setattr(importer, "_import", lambda *args: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            settlement_file_import(file_id=settlement.pk)
    settlement.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            settlement_file_retry(settlement=settlement, actor=lead(), reason="the disk was full")
            == "import"
        )
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.DONE and settlement.error == ""
    assert settlement.runs.get().matched == 1
    assert SettlementLine.objects.count() == 1


def test_a_file_refused_as_a_whole_cannot_be_retried_and_says_why(report):
    settlement = upload([], content=b"\xef\xbb\xbfnot,the,header\n1,2,3\n")
    settlement_file_import(file_id=settlement.pk)
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.FAILED and not settlement.file
    with pytest.raises(ValidationError, match="upload the file again"):
        settlement_file_retry(settlement=settlement, actor=lead(), reason="the disk was full")


def test_only_a_failed_file_can_be_retried(report):
    settlement = two_lines(report)
    with pytest.raises(ValidationError, match="Only a failed file"):
        settlement_file_retry(settlement=settlement, actor=lead(), reason="the disk was full")


def test_a_killed_run_leaves_the_file_imported_and_no_run_behind(report, monkeypatch):
    settlement = two_lines(report)
    settlement_file_import(file_id=settlement.pk)

    def killed(**kwargs):
        raise SystemExit(1)

    monkeypatch.setattr(service, "match_file", killed)
    with pytest.raises(SystemExit):
        reconciliation_run(file_id=settlement.pk, trigger="test")
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.IMPORTED
    assert not ReconciliationRun.objects.exists()


def test_a_run_that_raises_is_recorded_failed_and_retried_from_the_stored_lines(
    report, monkeypatch, django_capture_on_commit_callbacks
):
    settlement = two_lines(report)
    settlement_file_import(file_id=settlement.pk)
    with monkeypatch.context() as patched:
        patched.setattr(service, "recon_alerts", lambda **kwargs: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            reconciliation_run(file_id=settlement.pk, trigger="test")
    settlement.refresh_from_db()
    failed = ReconciliationRun.objects.get()
    assert (settlement.status, failed.status) == (FileStatus.FAILED, RunStatus.FAILED)
    assert not ReconciliationItem.objects.exists()  # rolled back with the run's savepoint
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            settlement_file_retry(settlement=settlement, actor=lead(), reason="the disk was full")
            == "reconcile"
        )
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.DONE
    assert settlement.runs.get(status=RunStatus.DONE).matched == 1


def test_only_files_unfinished_past_the_stall_limit_are_stalled(report):
    queued = aged(two_lines(report), FileStatus.QUEUED)
    importing = aged(upload([line_for(report)], name="b.csv"), FileStatus.IMPORTING)
    imported = aged(upload([line_for(report, fee="0.01")]), FileStatus.IMPORTED)
    upload([line_for(report, fee="0.02")])  # fresh: its task may still be queued
    aged(upload([line_for(report, fee="0.03")]), FileStatus.DONE)
    aged(upload([line_for(report, fee="0.04")]), FileStatus.FAILED)
    assert settlement_files_stalled() == [queued.pk, importing.pk, imported.pk]


def test_beat_finishes_a_stalled_import_once(report):
    settlement = two_lines(report)
    left_importing(settlement)
    aged(settlement, FileStatus.IMPORTING)
    assert reconcile_pending_files() == [settlement.pk]
    assert reconcile_pending_files() == []
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.DONE
    assert (settlement.line_count, settlement.runs.get().matched) == (1, 1)


def test_beat_finishes_a_file_an_older_worker_left_reconciling(report):
    settlement = two_lines(report)
    settlement_file_import(file_id=settlement.pk)
    lost = ReconciliationRun.objects.create(file=settlement, trigger="upload")
    aged(settlement, FileStatus.RECONCILING)
    assert reconcile_pending_files() == [settlement.pk]
    settlement.refresh_from_db()
    lost.refresh_from_db()
    assert settlement.status == FileStatus.DONE
    assert lost.status == RunStatus.FAILED
    assert settlement.runs.get(status=RunStatus.DONE).matched == 1


def test_a_lead_retries_failed_files_in_admin(report, client, django_capture_on_commit_callbacks):
    kept = two_lines(report)
    file_move(kept, "start_import", reason="test")
    file_move(
        kept, "fail", reason="test", error="The import stopped unexpectedly; staff can retry it."
    )
    refused = upload([], content=b"\xef\xbb\xbfnot,the,header\n1,2,3\n")
    settlement_file_import(file_id=refused.pk)
    client.force_login(StaffFactory(groups=["compliance lead"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:transactions_settlementfile_changelist"),
            {
                "action": "retry",
                "_selected_action": [kept.pk, refused.pk],
                "apply": "1",
                "reason": "the worker's disk was full",
            },
            follow=True,
        )
    messages = [str(m) for m in response.context["messages"]]
    assert any("imported again" in m for m in messages)
    assert any("upload the file again" in m for m in messages)
    kept.refresh_from_db()
    assert kept.status == FileStatus.DONE


def test_a_reviewer_cannot_retry(report, client):
    settlement = two_lines(report)
    file_move(settlement, "start_import", reason="test")
    file_move(settlement, "fail", reason="test", error="stopped")
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    url = reverse("admin:transactions_settlementfile_changelist")
    assert client.get(url).context["action_form"] is None  # no action offered
    client.post(
        url, {"action": "retry", "_selected_action": [settlement.pk], "apply": "1", "reason": "x"}
    )
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.FAILED
