from datetime import timedelta

import pytest
from django.utils import timezone

from merchants.models import ReportingSettings
from tests.transactions.audit.helpers import (
    alerts,
    audit,
    only_rule,
    plant,
    reporting_terminal,
    shanghai,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule():
    only_rule("late_report")


def test_report_received_after_the_deadline_raises_an_alert():
    terminal = reporting_terminal()
    at = timezone.now() - timedelta(hours=30)
    late = plant(terminal, at=at, received=at + timedelta(hours=25))
    audit()
    [alert] = alerts("late_report")
    assert list(alert.reports.all()) == [late]
    assert "24 h deadline" in alert.explanation and "25.0 h" in alert.explanation


def test_report_just_within_the_deadline_is_fine():
    terminal = reporting_terminal()
    at = timezone.now() - timedelta(hours=30)
    plant(terminal, at=at, received=at + timedelta(hours=23, minutes=59))
    audit()
    assert alerts("late_report") == []


def test_the_merchants_own_deadline_counts():
    terminal = reporting_terminal()
    ReportingSettings.objects.filter(merchant=terminal.merchant).update(deadline_hours=2)
    at = timezone.now() - timedelta(hours=10)
    plant(terminal, at=at, received=at + timedelta(hours=3))
    audit()
    assert "2 h deadline" in alerts("late_report")[0].explanation


def test_late_reports_of_one_day_share_one_alert():
    terminal = reporting_terminal()
    received = timezone.now() - timedelta(minutes=5)
    for hours in (30, 40, 50):
        plant(terminal, at=received - timedelta(hours=hours), received=received)
    audit()
    [alert] = alerts("late_report")
    assert alert.report_count == 3


def test_late_reports_received_on_one_day_in_two_runs_are_explained_together():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(3, 10), received=shanghai(1, 10))
    audit(window_end=shanghai(1, 11))
    plant(terminal, at=shanghai(3, 11), received=shanghai(1, 12))
    audit()
    [alert] = alerts("late_report")
    assert alert.report_count == 2 and alert.explanation.startswith("2 report(s) received on")


def test_a_late_report_received_the_next_day_raises_its_own_alert():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(4, 10), received=shanghai(2, 10))
    audit(window_end=shanghai(2, 11))
    plant(terminal, at=shanghai(4, 11), received=shanghai(1, 10))
    audit()
    assert [a.report_count for a in alerts("late_report")] == [1, 1]
