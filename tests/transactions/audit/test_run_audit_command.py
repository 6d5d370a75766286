from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.transactions.audit.helpers import only_rule, plant, reporting_terminal
from transactions.audit.runner import ensure_rules
from transactions.models import Alert, AuditRun, RunStatus

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("run_audit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _mcc_jump_only():
    ensure_rules()
    only_rule("mcc_jump")


def test_runs_the_audit_here_and_prints_window_findings_alerts_and_duration():
    plant(reporting_terminal(), mcc="5812")
    output = _run()
    run = AuditRun.objects.get()
    assert run.trigger == "shell" and run.status == RunStatus.DONE
    assert f"Audit run #{run.pk}" in output
    assert f"{timezone.localtime(run.window_end):%Y-%m-%d %H:%M:%S}" in output
    assert "mcc_jump" in output and "1 finding(s)" in output
    assert f"1 alert(s) created, 0 updated in {run.duration_ms} ms" in output
    assert Alert.objects.count() == 1


def test_second_run_covers_only_what_arrived_since_and_raises_nothing_twice():
    plant(reporting_terminal(), mcc="5812", received=timezone.now() - timedelta(minutes=2))
    _run()
    output = _run()
    first, second = AuditRun.objects.order_by("started_at")
    assert second.window_start == first.window_end
    assert "0 finding(s)" in output and "0 alert(s) created" in output
    assert Alert.objects.count() == 1


def test_async_queues_the_task_for_the_workers():
    plant(reporting_terminal(), mcc="5812")
    output = _run("--async")
    assert "Audit queued for the workers (task " in output
    assert "finding(s)" not in output
    # The suite runs tasks eagerly, so the queued run has happened when the command returns.
    run = AuditRun.objects.get()
    assert run.trigger == "shell" and run.status == RunStatus.DONE
    assert Alert.objects.get().run == run


def test_a_failing_audit_is_reported_and_recorded_as_failed():
    with (
        mock.patch("transactions.audit.runner.audit_run_part", side_effect=RuntimeError("db gone")),
        pytest.raises(CommandError, match="The audit failed: RuntimeError"),
    ):
        _run()
    assert AuditRun.objects.get().status == RunStatus.FAILED
