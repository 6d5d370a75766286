"""Many upheld complaints: a merchant whose cardholders were proved right N times in D days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transactions.audit.helpers import (
    alert_of,
    alerts,
    audit,
    only_rule,
    report_ids,
    reporting_terminal,
    set_params,
)
from tests.transactions.complaint_factories import ComplaintFactory, stored_report
from transactions.models import ComplaintStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule():
    audit()  # creates the rule rows (and audits nothing)
    only_rule("complaints_upheld")


def _upheld(terminal, *, days_ago: float = 1, status=ComplaintStatus.UPHELD):
    return ComplaintFactory(
        report=stored_report(terminal),
        status=status,
        resolved_at=timezone.now() - timedelta(days=days_ago),
    )


def test_three_upheld_complaints_in_thirty_days_flag_the_merchant():
    terminal = reporting_terminal()
    complaints = [_upheld(terminal, days_ago=d) for d in (1, 10, 29)]
    audit()
    alert = alert_of("complaints_upheld")
    assert (alert.merchant, alert.severity) == (terminal.merchant, "high")
    assert report_ids(alert) == {c.report_id for c in complaints}
    assert alert.explanation == "3 complaints upheld in the last 30 days (threshold 3)."


def test_two_upheld_complaints_are_a_near_miss():
    terminal = reporting_terminal()
    _upheld(terminal)
    _upheld(terminal)
    _upheld(terminal, status=ComplaintStatus.REJECTED)
    audit()
    assert alerts("complaints_upheld") == []


def test_an_upheld_complaint_older_than_the_window_does_not_count():
    terminal = reporting_terminal()
    _upheld(terminal, days_ago=1)
    _upheld(terminal, days_ago=2)
    _upheld(terminal, days_ago=31)
    audit()
    assert alerts("complaints_upheld") == []


def test_complaints_of_different_merchants_are_not_added_up():
    for _ in range(3):
        _upheld(reporting_terminal())
    audit()
    assert alerts("complaints_upheld") == []


def test_the_thresholds_are_parameters():
    set_params("complaints_upheld", min_upheld=2, days=7)
    terminal = reporting_terminal()
    _upheld(terminal, days_ago=1)
    _upheld(terminal, days_ago=6)
    audit()
    assert alert_of("complaints_upheld").explanation.startswith("2 complaints upheld in the last 7")


def test_a_rerun_does_not_raise_the_alert_twice():
    terminal = reporting_terminal()
    for d in (1, 2, 3):
        _upheld(terminal, days_ago=d)
    audit()
    _upheld(terminal, days_ago=0.5)
    audit()
    alert = alert_of("complaints_upheld")
    assert alert.report_count == 4
