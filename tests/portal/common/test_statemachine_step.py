"""The state machine's step helpers: a person's recorded step, a worker's moves, and refusals."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from merchants.models import Terminal, TerminalStatus, TerminalTransition
from merchants.onboarding.workflow import APPLICATION
from merchants.terminals.workflow import TERMINAL
from portal.common.statemachine import TransitionNotAllowed
from portal.common.transitions import TransitionRecord
from tests.factories import StaffFactory, TerminalFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.reconciliation.factories import AcquirerFactory
from transactions.alerts.workflow import ALERT
from transactions.audit.workflow import AUDIT_RUN
from transactions.complaints.workflow import COMPLAINT
from transactions.ingest.workflow import UPLOAD
from transactions.models import (
    Alert,
    AlertStatus,
    AuditRun,
    FileStatus,
    ReconciliationRun,
    ReportUpload,
    RunStatus,
    SettlementFile,
    UploadStatus,
)
from transactions.reconciliation.workflow import FILE_FLOW, RUN_FLOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


def _steps(terminal):
    return list(
        TerminalTransition.objects.filter(terminal=terminal).values_list(
            "from_status", "to_status", "actor", "reason"
        )
    )


# --- a person's step -------------------------------------------------------------------------


def test_step_saves_the_target_and_records_who_from_to_and_why(lead):
    terminal = TERMINAL.step(
        TerminalFactory(active=True), "suspend", actor=lead, reason="  Reported stolen.  "
    )
    assert Terminal.objects.get(pk=terminal.pk).status == TerminalStatus.SUSPENDED
    assert _steps(terminal) == [
        (TerminalStatus.ACTIVE, TerminalStatus.SUSPENDED, lead.pk, "Reported stolen.")
    ]


def test_step_gives_the_history_its_reason(lead):
    terminal = TERMINAL.step(TerminalFactory(active=True), "suspend", actor=lead, reason="lost")
    assert terminal.history.first().history_change_reason == "suspend: lost"


def test_step_checks_the_locked_row_not_the_callers_copy(lead):
    stale = TerminalFactory(active=True)
    Terminal.objects.filter(pk=stale.pk).update(status=TerminalStatus.RETIRED)
    with pytest.raises(TransitionNotAllowed) as refused:
        TERMINAL.step(stale, "suspend", actor=lead, reason="lost")
    assert refused.value.code == "invalid_state"
    assert _steps(stale) == []


def test_step_without_a_required_reason_writes_nothing(lead):
    terminal = TerminalFactory(active=True)
    with pytest.raises(TransitionNotAllowed) as refused:
        TERMINAL.step(terminal, "suspend", actor=lead, reason="  ")
    assert refused.value.code == "reason_required"
    assert Terminal.objects.get(pk=terminal.pk).status == TerminalStatus.ACTIVE
    assert _steps(terminal) == []


def test_step_without_the_permission_is_refused():
    terminal = TerminalFactory(active=True)
    reviewer = StaffFactory(groups=["compliance reviewer"])
    with pytest.raises(PermissionDenied):
        TERMINAL.step(terminal, "suspend", actor=reviewer, reason="lost")
    assert Terminal.objects.get(pk=terminal.pk).status == TerminalStatus.ACTIVE


def test_an_unknown_step_is_refused(lead):
    with pytest.raises(TransitionNotAllowed) as refused:
        TERMINAL.step(TerminalFactory(active=True), "explode", actor=lead)
    assert refused.value.code == "unknown"


def test_prepare_sets_its_fields_on_the_locked_row_before_the_save():
    reviewer = StaffFactory(groups=["compliance reviewer"])
    seen = []

    def prepare(alert, transition):
        seen.append((alert.status, transition.name))
        alert.assignee = reviewer

    alert = ALERT.step(AlertFactory(), "take", actor=reviewer, prepare=prepare)
    assert seen == [(AlertStatus.IN_REVIEW, "take")]
    assert Alert.objects.get(pk=alert.pk).assignee == reviewer


def test_every_recorded_workflow_writes_a_transition_record_of_its_own_model():
    for machine, model in (
        (APPLICATION, "merchant"),
        (TERMINAL, "terminal"),
        (ALERT, "alert"),
        (COMPLAINT, "complaint"),
    ):
        assert issubclass(machine.record, TransitionRecord)
        subject = machine.record._meta.get_field(machine.record.subject_field)
        assert subject.related_model._meta.model_name == model


# --- a worker's step -------------------------------------------------------------------------


def _file(status):
    return SettlementFile.objects.create(
        acquirer=AcquirerFactory(), original_name="settle.csv", sha256="0" * 64, status=status
    )


def test_move_takes_the_step_and_its_fields_from_a_source_state():
    settlement = _file(FileStatus.FAILED)
    assert FILE_FLOW.move(settlement, "retry", error="")
    assert settlement.status == FileStatus.QUEUED
    assert SettlementFile.objects.get(pk=settlement.pk).status == FileStatus.QUEUED


def test_move_from_another_state_changes_nothing():
    settlement = _file(FileStatus.DONE)
    assert not FILE_FLOW.move(settlement, "retry", error="gone")
    assert SettlementFile.objects.get(pk=settlement.pk).status == FileStatus.DONE
    assert (settlement.status, settlement.error) == (FileStatus.DONE, "")


def test_move_all_moves_only_the_rows_in_a_source_state():
    now = timezone.now()
    window = {"window_start": now - timedelta(days=1), "window_end": now}
    running = AuditRun.objects.create(trigger="test", **window)
    done = AuditRun.objects.create(trigger="test", status=RunStatus.DONE, **window)
    assert AUDIT_RUN.move_all(AuditRun.objects.all(), "fail", error="boom") == 1
    assert AuditRun.objects.get(pk=running.pk).status == RunStatus.FAILED
    assert AuditRun.objects.get(pk=done.pk).status == RunStatus.DONE


def test_apply_sets_the_target_in_memory_only():
    run = ReconciliationRun(status=RunStatus.RUNNING)
    RUN_FLOW.apply(run, "done")
    assert run.status == RunStatus.DONE


def test_apply_refuses_an_illegal_move_and_leaves_the_object_as_it_was():
    upload = ReportUpload(status=UploadStatus.DONE)
    with pytest.raises(TransitionNotAllowed):
        UPLOAD.apply(upload, "start")
    assert upload.status == UploadStatus.DONE


def test_a_finished_reconciliation_run_cannot_fail_afterwards():
    with pytest.raises(TransitionNotAllowed):
        RUN_FLOW.apply(ReconciliationRun(status=RunStatus.DONE), "fail")


def test_an_audit_run_a_part_failed_is_still_finished_by_the_part_that_completes_it():
    run = AuditRun(status=RunStatus.FAILED)
    AUDIT_RUN.apply(run, "finish")
    assert run.status == RunStatus.DONE
