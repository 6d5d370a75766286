"""The scheduled audit task: one run at a time, stalled runs recovered, failed runs redone."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transactions.audit.helpers import alert_of, only_rule, plant, reporting_terminal
from transactions.audit import runner
from transactions.audit.rules import REGISTRY
from transactions.audit.runner import audit_start
from transactions.models import AuditRun, RunStatus
from transactions.tasks import run_audit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mcc_jump_only():
    only_rule("mcc_jump")


def _started(run, ago):
    AuditRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - ago)


def test_a_run_whose_parts_were_never_sent_is_completed_by_the_next_scheduled_audit():
    terminal = reporting_terminal()
    plant(terminal, mcc="5812", received=timezone.now() - timedelta(hours=1))
    # The worker died right after recording the run, before sending its parts.
    stalled = audit_start(trigger="beat", window_end=timezone.now() - timedelta(minutes=40))
    _started(stalled, runner.STALE_AFTER + timedelta(minutes=1))
    newest = run_audit(trigger="beat")
    stalled.refresh_from_db()
    assert stalled.status == RunStatus.DONE and alert_of("mcc_jump").run == stalled
    # The next run starts where the recovered one ended: nothing audited twice, nothing skipped.
    assert AuditRun.objects.get(pk=newest).window_start == stalled.window_end


def test_beat_starts_no_run_while_a_recent_one_is_unfinished():
    plant(reporting_terminal(), mcc="5812")
    running = audit_start(trigger="beat")
    _started(running, runner.STALE_AFTER - timedelta(minutes=1))
    assert run_audit(trigger="beat") == running.pk
    running.refresh_from_db()
    assert AuditRun.objects.count() == 1 and running.parts_done == 0


def test_staff_asking_for_a_run_get_one_while_another_is_unfinished():
    running = audit_start(trigger="beat")
    started = run_audit(trigger="admin:lead")
    assert started != running.pk
    assert AuditRun.objects.get(pk=started).status == RunStatus.DONE


def test_a_part_that_raises_fails_its_run_and_the_next_run_audits_its_window(monkeypatch):
    before = audit_start(trigger="beat", window_end=timezone.now() - timedelta(hours=2))
    runner.audit_run_part(part_id=before.parts.get().pk)
    plant(reporting_terminal(), mcc="5812", received=timezone.now() - timedelta(hours=1))
    spec = REGISTRY["mcc_jump"]

    def broken(ctx):
        raise RuntimeError("bug in a rule")

    monkeypatch.setitem(REGISTRY, "mcc_jump", replace(spec, find=broken))
    with pytest.raises(RuntimeError):
        run_audit(trigger="beat")
    failed = AuditRun.objects.latest("started_at")
    assert (
        failed.window_start == before.window_end
        and failed.status == RunStatus.FAILED
        and "bug in a rule" in failed.error
    )
    monkeypatch.setitem(REGISTRY, "mcc_jump", spec)
    redone = AuditRun.objects.get(pk=run_audit(trigger="beat"))
    assert redone.status == RunStatus.DONE and redone.window_start == failed.window_start
    assert alert_of("mcc_jump").run == redone
