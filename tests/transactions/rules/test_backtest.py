"""Backtests: what a version would have raised over a past range, and how that compares."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.rules.helpers import BIG_UNVERIFIED, make_rule, reviewer, rule_revise
from transactions.models import AlertReport, AlertStatus, Backtest, BacktestStatus, RuleList
from transactions.rules.backtest import backtest_start

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return shanghai(n, 0).date()


def run(version, first: int = 5, last: int = 0, actor=None):
    backtest = backtest_start(
        version=version,
        first_day=days_ago(first),
        last_day=days_ago(last),
        actor=actor or reviewer(),
    )
    backtest.refresh_from_db()
    return backtest


def reviewed(report, status):
    alert = AlertFactory(merchant=report.merchant, status=status)
    AlertReport.objects.create(alert=alert, report=report)


def test_a_backtest_counts_alerts_by_day_and_merchant_with_its_hit_rate(
    django_capture_on_commit_callbacks,
):
    terminal = reporting_terminal()
    one = plant(terminal, at=shanghai(2, 10), amount="6000.00", cvm="none")
    two = plant(terminal, at=shanghai(2, 11), amount="9000.00", cvm="none")
    three = plant(terminal, at=shanghai(1, 11), amount="5000.00", cvm="contactless")
    plant(terminal, at=shanghai(1, 12), amount="5000.00", cvm="pin")
    plant(terminal, at=shanghai(9, 12), amount="5000.00", cvm="none")  # before the range
    reviewed(one, AlertStatus.CONFIRMED)
    reviewed(two, AlertStatus.CLEARED)
    version = make_rule().versions.get()
    with django_capture_on_commit_callbacks(execute=True):
        backtest = run(version)
    backtest.refresh_from_db()
    assert backtest.status == BacktestStatus.DONE and backtest.progress == 100
    results = backtest.results
    assert results["alerts"] == 3 and results["reports"] == 3
    assert results["per_day"] == {str(days_ago(2)): 2, str(days_ago(1)): 1}
    assert results["per_merchant"][0]["alerts"] == 3
    assert (results["confirmed"], results["cleared"], results["hit_rate"]) == (1, 1, 0.5)
    assert [s["report_ids"] for s in results["sample"]] == [[one.pk], [two.pk], [three.pk]]
    assert results["sample"][0]["explain"][str(one.pk)][0]["value"] == "6000.00"


def test_a_backtest_runs_the_version_it_started_with(django_capture_on_commit_callbacks):
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="6000.00", cvm="none")
    rule = make_rule()
    with django_capture_on_commit_callbacks() as queued:
        backtest = run(rule.versions.get())
    stricter = {**BIG_UNVERIFIED, "when": {"field": "amount", "op": "gte", "value": "100000"}}
    rule_revise(rule=rule, document=stricter, reason="edited meanwhile", actor=reviewer())
    for callback in queued:
        callback()
    backtest.refresh_from_db()
    assert backtest.version.number == 1 and backtest.results["alerts"] == 1


def test_a_broken_rule_fails_with_a_clear_message(django_capture_on_commit_callbacks):
    made = RuleList.objects.create(code="tids", name="t", kind="tid", purpose="block")
    rule = make_rule({**BIG_UNVERIFIED, "when": {"field": "tid", "op": "in_list", "list": "tids"}})
    made.delete()
    with django_capture_on_commit_callbacks(execute=True):
        backtest = run(rule.versions.get())
    backtest.refresh_from_db()
    assert backtest.status == BacktestStatus.FAILED
    assert backtest.error == (
        "This version does not compile: $.when.list: There is no list “tids”."
    )


def test_a_started_backtest_is_not_run_twice(django_capture_on_commit_callbacks):
    from transactions.rules.backtest import backtest_run

    with django_capture_on_commit_callbacks(execute=True):
        backtest = run(make_rule().versions.get())
    finished = Backtest.objects.get(pk=backtest.pk).finished_at
    backtest_run(backtest_id=backtest.pk)
    assert Backtest.objects.get(pk=backtest.pk).finished_at == finished


def test_a_range_in_the_future_or_backwards_is_refused():
    version = make_rule().versions.get()
    with pytest.raises(ValidationError):
        run(version, first=0, last=-1)
    with pytest.raises(ValidationError):
        run(version, first=1, last=3)
    with pytest.raises(ValidationError):
        backtest_start(
            version=version,
            first_day=days_ago(400),
            last_day=days_ago(0),
            actor=reviewer(),
        )


def test_staff_without_the_permission_cannot_backtest():
    with pytest.raises(PermissionDenied):
        run(make_rule().versions.get(), actor=StaffFactory())
