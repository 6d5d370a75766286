"""Every status change of a settlement file is on record: from, to, who (a worker: nobody) and
why; staff's retry asks for the reason and records who gave it; admin shows the trail."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.common.statemachine import TransitionNotAllowed
from tests.factories import StaffFactory
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import line_for, upload
from transactions.models import FileStatus, SettlementFile, SettlementFileTransition
from transactions.reconciliation import importer
from transactions.reconciliation.importer import settlement_file_import
from transactions.reconciliation.services import settlement_file_process, settlement_file_retry
from transactions.reconciliation.workflow import FILE_FLOW, file_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001")


def _trail(settlement: SettlementFile) -> list[tuple[str, str, int | None]]:
    steps = SettlementFileTransition.objects.filter(file=settlement).order_by("pk")
    return [(s.from_status, s.to_status, s.actor_id) for s in steps]


def _failed_import(settlement: SettlementFile, monkeypatch) -> SettlementFile:
    with monkeypatch.context() as patched:
        patched.setattr(importer, "_import", lambda *args: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            settlement_file_import(file_id=settlement.pk)
    settlement.refresh_from_db()
    return settlement


def test_an_import_and_its_run_record_each_step_by_the_system_with_what_it_found(report):
    settlement = upload([line_for(report), line_for(report, rrn="331200000002", amount="x")])
    settlement_file_process(file_id=settlement.pk, trigger="upload")
    assert _trail(settlement) == [
        ("queued", "importing", None),
        ("importing", "imported", None),
        ("imported", "reconciling", None),
        ("reconciling", "done", None),
    ]
    reasons = list(settlement.transitions.order_by("pk").values_list("reason", flat=True))
    assert all(reasons)
    assert "1" in reasons[1] and "upload" in reasons[2]


def test_a_file_refused_as_a_whole_records_why(report):
    settlement = upload([], content=b"\xef\xbb\xbfnot,the,header\n1,2,3\n")
    settlement_file_import(file_id=settlement.pk)
    last = settlement.transitions.order_by("pk").last()
    assert (last.from_status, last.to_status, last.actor) == ("importing", "failed", None)
    settlement.refresh_from_db()
    assert settlement.error and settlement.error in last.reason


def test_an_import_started_again_records_the_state_it_left(report):
    settlement = upload([line_for(report)])
    assert file_move(settlement, "start_import", reason="first worker")
    settlement.refresh_from_db()
    settlement_file_import(file_id=settlement.pk)
    assert _trail(settlement)[:2] == [
        ("queued", "importing", None),
        ("importing", "importing", None),
    ]


def test_the_state_left_is_the_rows_not_a_stale_copys(report):
    settlement = upload([line_for(report)])
    stale = SettlementFile.objects.get(pk=settlement.pk)  # read while queued
    assert file_move(settlement, "start_import", reason="one worker")
    assert file_move(stale, "start_import", reason="another worker, with an old copy")
    assert _trail(settlement) == [("queued", "importing", None), ("importing", "importing", None)]


def test_a_step_refused_changes_and_records_nothing(report):
    settlement = upload([line_for(report)])
    assert not file_move(settlement, "imported", reason="not importing yet")
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.QUEUED
    assert _trail(settlement) == []


def test_a_retry_records_who_and_the_reason(
    report, monkeypatch, django_capture_on_commit_callbacks
):
    settlement = _failed_import(upload([line_for(report)]), monkeypatch)
    lead = StaffFactory(groups=["compliance lead"])
    with django_capture_on_commit_callbacks(execute=True):
        settlement_file_retry(settlement=settlement, actor=lead, reason="  disk was full  ")
    step = settlement.transitions.get(from_status="failed")
    assert (step.to_status, step.actor, step.reason) == ("queued", lead, "disk was full")
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.DONE


def test_a_retry_without_a_reason_is_refused(report, monkeypatch):
    settlement = _failed_import(upload([line_for(report)]), monkeypatch)
    lead = StaffFactory(groups=["compliance lead"])
    with pytest.raises(TransitionNotAllowed, match="reason"):
        settlement_file_retry(settlement=settlement, actor=lead, reason="   ")
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.FAILED
    assert not settlement.transitions.filter(from_status="failed").exists()


def test_a_retry_by_someone_without_the_permission_is_refused(report, monkeypatch):
    settlement = _failed_import(upload([line_for(report)]), monkeypatch)
    reviewer = StaffFactory(groups=["compliance reviewer"])
    with pytest.raises(PermissionDenied):
        settlement_file_retry(settlement=settlement, actor=reviewer, reason="why not")
    assert not settlement.transitions.filter(from_status="failed").exists()


def test_a_retry_of_a_file_not_failed_is_refused(report):
    settlement = upload([line_for(report)])
    with pytest.raises(ValidationError, match="Only a failed file"):
        settlement_file_retry(
            settlement=settlement, actor=StaffFactory(groups=["compliance lead"]), reason="x"
        )


def test_workers_steps_may_not_be_taken_in_bulk():
    with pytest.raises(TypeError):
        FILE_FLOW.move_all(SettlementFile.objects.all(), "fail")


def test_admin_asks_for_the_reason_then_records_it(
    report, client, monkeypatch, django_capture_on_commit_callbacks
):
    settlement = _failed_import(upload([line_for(report)]), monkeypatch)
    lead = StaffFactory(groups=["compliance lead"])
    client.force_login(lead)
    url = reverse("admin:transactions_settlementfile_changelist")
    asked = client.post(url, {"action": "retry", "_selected_action": [settlement.pk]})
    assert asked.status_code == 200
    assert b'name="reason"' in asked.content
    assert b"shown to the merchant" not in asked.content
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.FAILED  # nothing done before the reason

    empty = {"action": "retry", "_selected_action": [settlement.pk], "apply": "1", "reason": " "}
    assert client.post(url, empty).context["missing_reason"] is True

    given = {**empty, "reason": "the worker's disk was full"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, given, follow=True)
    step = settlement.transitions.get(from_status="failed")
    assert (step.actor, step.reason) == (lead, "the worker's disk was full")

    page = client.get(reverse("admin:transactions_settlementfile_change", args=[settlement.pk]))
    content = page.content.decode()
    assert "the worker&#x27;s disk was full" in content or "the worker's disk was full" in content
    assert lead.username in content
