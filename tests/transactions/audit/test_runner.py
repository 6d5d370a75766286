"""The audit runner: recorded, incremental, split into parts, and idempotent whatever happens."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transactions.audit.helpers import (
    alert_of,
    alerts,
    audit,
    only_rule,
    plant,
    plant_many,
    plant_patterns,
    report_ids,
    shanghai,
    snapshot,
)
from tests.transactions.helpers import reporting_terminal
from transactions.audit import runner
from transactions.audit.rules import REGISTRY
from transactions.audit.runner import audit_run_part, audit_start
from transactions.models import Alert, AuditRule, AuditRun, RunStatus

pytestmark = pytest.mark.django_db


def run_in_parts(**kwargs):
    run = audit_start(trigger="test", **kwargs)
    for part_id in run.parts.order_by("index").values_list("id", flat=True):
        audit_run_part(part_id=part_id)
    run.refresh_from_db()
    return run


def test_a_run_is_recorded_with_window_rules_counts_and_duration():
    plant(reporting_terminal(), at=shanghai(1, 12), mcc="5812")
    end = timezone.now()
    run = audit(window_end=end)
    assert run.status == RunStatus.DONE and run.trigger == "test"
    assert (run.window_start, run.window_end) == (end - runner.FIRST_WINDOW, end)
    assert run.rules == sorted(REGISTRY)
    assert set(run.counts) == set(REGISTRY) and run.counts["mcc_jump"] == 1
    assert run.alerts_created == sum(run.counts.values()) == Alert.objects.count()
    assert run.finished_at is not None and run.duration_ms is not None
    assert run.parts_done == run.parts_total == 1


def test_the_next_run_starts_where_the_last_finished_one_ended():
    first = audit(window_end=timezone.now() - timedelta(hours=1))
    second = audit()
    assert second.window_start == first.window_end


def test_a_failed_run_does_not_move_the_window():
    first = audit(window_end=timezone.now() - timedelta(hours=2))
    failed = audit(window_end=timezone.now() - timedelta(hours=1))
    AuditRun.objects.filter(pk=failed.pk).update(status=RunStatus.FAILED)
    assert audit().window_start == first.window_end


def test_running_twice_creates_no_duplicate_alerts():
    plant_patterns()
    audit()
    before = snapshot()
    second = audit()
    assert snapshot() == before and second.alerts_created == 0


def test_auditing_the_same_window_again_finds_the_same_alerts_without_duplicating_them():
    plant_patterns()
    end = timezone.now()
    first = audit(window_end=end)
    before = snapshot()
    AuditRun.objects.filter(pk=first.pk).update(status=RunStatus.FAILED)
    again = audit(window_end=end)
    assert again.window_start == first.window_start
    assert snapshot() == before
    assert (again.alerts_created, again.alerts_updated) == (0, first.alerts_created)


def test_a_new_report_joins_the_alert_it_belongs_to():
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    first = plant(terminal, at=shanghai(1, 10), mcc="5812")
    audit(window_end=shanghai(1, 10, 30))
    second = plant(terminal, at=shanghai(1, 11), mcc="5812")
    run = audit()
    alert = alert_of("mcc_jump")
    assert report_ids(alert) == {first.pk, second.pk} and alert.report_count == 2
    assert (run.alerts_created, run.alerts_updated) == (0, 1)


def test_the_explanation_of_a_joined_alert_counts_all_its_reports():
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), mcc="5812")
    audit(window_end=shanghai(1, 10, 30))
    plant(terminal, at=shanghai(1, 11), mcc="5812")
    audit()
    assert "MCC 5812 on 2 transaction(s)" in alert_of("mcc_jump").explanation


def test_a_second_run_creates_only_what_is_new():
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(2, 10), mcc="5812")
    audit(window_end=shanghai(2, 10, 30))
    plant(terminal, at=shanghai(1, 10), mcc="5812")
    run = audit()
    assert len(alerts("mcc_jump")) == 2
    assert (run.alerts_created, run.alerts_updated) == (1, 0)


def test_a_resolved_alert_keeps_its_explanation_when_new_reports_join_it():
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), mcc="5812")
    audit(window_end=shanghai(1, 10, 30))
    Alert.objects.update(status="cleared")
    plant(terminal, at=shanghai(1, 11), mcc="5812")
    audit()
    alert = alert_of("mcc_jump")
    assert "on 1 transaction(s)" in alert.explanation and alert.report_count == 2


def test_a_run_split_by_merchant_finds_the_same_alerts_as_one_part():
    plant_patterns()
    end = timezone.now()
    split = run_in_parts(window_end=end, merchants_per_part=1)
    assert split.parts_total == 3 and split.status == RunStatus.DONE
    in_parts = snapshot()
    Alert.objects.all().delete()
    AuditRun.objects.all().delete()
    whole = run_in_parts(window_end=end)
    assert whole.parts_total == 1
    assert snapshot() == in_parts and whole.counts == split.counts
    assert len(in_parts) >= 7


def test_a_part_run_twice_changes_nothing():
    plant_patterns()
    run = audit_start(trigger="test", merchants_per_part=1)
    part = run.parts.get(index=0)
    audit_run_part(part_id=part.pk)
    before, recorded = snapshot(), AuditRun.objects.get(pk=run.pk)
    audit_run_part(part_id=part.pk)  # the message is delivered again after the worker died
    after = AuditRun.objects.get(pk=run.pk)
    assert snapshot() == before
    assert (after.parts_done, after.alerts_created, after.alerts_updated) == (
        recorded.parts_done,
        recorded.alerts_created,
        recorded.alerts_updated,
    )


def crash_writing(monkeypatch, code: str):
    """The worker dies while writing ``code``'s alerts (the rules before it wrote theirs);
    returns the writer to put back."""
    write = runner.alerts_from_findings

    def crash(*, rule, **kwargs):
        if rule.code == code:
            raise RuntimeError("worker killed")
        return write(rule=rule, **kwargs)

    monkeypatch.setattr(runner, "alerts_from_findings", crash)
    return write


def test_a_part_that_crashed_half_way_is_completed_by_running_it_again(monkeypatch):
    """mcc_jump's alerts are written, then merchant_jump (next in order) dies: the run is half done."""
    plant_patterns()
    expected = snapshot_of_a_clean_run()
    write = crash_writing(monkeypatch, "merchant_jump")
    run = audit_start(trigger="test")
    [part] = run.parts.all()
    with pytest.raises(RuntimeError):
        audit_run_part(part_id=part.pk)
    part.refresh_from_db()
    assert not part.done and alerts("mcc_jump") and not alerts("merchant_jump")
    monkeypatch.setattr(runner, "alerts_from_findings", write)
    audit_run_part(part_id=part.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and snapshot() == expected


def test_a_rule_that_fails_to_find_fails_the_part_before_any_alert_is_written(monkeypatch):
    """The rules are all found before any alert is written: a finder that raises leaves the
    part undone and nothing half written; running it again completes it."""
    plant_patterns()
    expected = snapshot_of_a_clean_run()
    spec = REGISTRY["merchant_jump"]

    def crash(ctx):
        raise RuntimeError("database gone")

    monkeypatch.setitem(REGISTRY, "merchant_jump", replace(spec, find=crash))
    run = audit_start(trigger="test")
    [part] = run.parts.all()
    with pytest.raises(RuntimeError, match="database gone"):
        audit_run_part(part_id=part.pk)
    part.refresh_from_db()
    assert not part.done and Alert.objects.count() == 0
    monkeypatch.setitem(REGISTRY, "merchant_jump", spec)
    audit_run_part(part_id=part.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and snapshot() == expected


def snapshot_of_a_clean_run():
    """The alerts one uninterrupted run raises, then forgotten again (reports stay)."""
    audit()
    expected = snapshot()
    Alert.objects.all().delete()
    AuditRun.objects.all().delete()
    return expected


def test_a_run_with_a_part_not_done_stays_running_until_that_part_runs():
    plant_patterns()
    end = timezone.now()
    run = audit_start(trigger="test", window_end=end, merchants_per_part=2)
    first, rest = run.parts.order_by("index")
    audit_run_part(part_id=first.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.parts_done == 1
    # Not finished, so the next run does not start where this one ends.
    assert audit_start(trigger="test", window_end=end).window_start == run.window_start
    audit_run_part(part_id=rest.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.finished_at is not None


def test_disabled_rules_do_not_run():
    AuditRule.objects.filter(code="mcc_jump").update(enabled=False)
    plant(reporting_terminal(), at=shanghai(1, 12), mcc="5812")
    run = audit()
    assert "mcc_jump" not in run.rules and "mcc_jump" not in run.counts
    assert alerts("mcc_jump") == []


def test_alerts_a_crashed_part_wrote_count_as_created_when_it_runs_again(monkeypatch):
    plant_patterns()
    write = crash_writing(monkeypatch, "merchant_jump")
    run = audit_start(trigger="test")
    [part] = run.parts.all()
    with pytest.raises(RuntimeError):
        audit_run_part(part_id=part.pk)
    assert alerts("mcc_jump")  # written and committed before the crash
    monkeypatch.setattr(runner, "alerts_from_findings", write)
    audit_run_part(part_id=part.pk)
    run.refresh_from_db()
    assert (run.alerts_created, run.alerts_updated) == (Alert.objects.count(), 0)


def test_the_explanation_of_a_joined_alert_counts_reports_of_the_day_seen_by_earlier_runs():
    """Merchant-wide day groups too: three round amounts on one day, arriving in two runs."""
    only_rule("cashout_round_amount")
    terminal = reporting_terminal()
    plant_many(terminal, [shanghai(1, 10), shanghai(1, 10, 5)], amount="6000.00")
    audit(window_end=shanghai(1, 10, 30))
    plant(reporting_terminal(merchant=terminal.merchant), at=shanghai(1, 11), amount="7000.00")
    run = audit()
    alert = alert_of("cashout_round_amount")
    assert alert.explanation.startswith("3 round-amount sale(s)") and alert.report_count == 3
    assert "¥6,000.00, ¥6,000.00, ¥7,000.00" in alert.explanation
    assert (run.alerts_created, run.alerts_updated) == (0, 1)


def test_reports_of_an_earlier_day_do_not_join_a_new_days_alert():
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(2, 10), mcc="5812")
    audit(window_end=shanghai(2, 10, 30))
    newer = plant(terminal, at=shanghai(1, 10), mcc="5812")
    audit()
    alert = alerts("mcc_jump")[-1]
    assert report_ids(alert) == {newer.pk} and "on 1 transaction(s)" in alert.explanation
