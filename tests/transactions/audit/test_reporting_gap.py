"""Reporting gap: an active terminal with reporting on that fell silent, or a dormant one waking."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from merchants.models import ReportingSettings, TerminalStatus
from portal.common.beijing import SHANGHAI
from tests.transactions.audit.helpers import (
    alert_of,
    alerts,
    audit,
    only_rule,
    plant,
    report_ids,
    reporting_terminal,
    set_params,
)
from transactions.analytics.rollups import rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule():
    only_rule("reporting_gap")


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def test_active_terminal_silent_for_more_than_a_day_raises_an_alert():
    terminal = reporting_terminal()
    last = plant(terminal, at=ago(hours=25))
    audit()
    alert = alert_of("reporting_gap")
    assert (alert.merchant, alert.terminal) == (terminal.merchant, terminal)
    since = last.occurred_at.astimezone(SHANGHAI)
    assert alert.explanation == (
        f"Terminal {terminal.tid} is active with reporting on but has reported nothing since "
        f"{since:%Y-%m-%d %H:%M} (more than 24 h)."
    )


def test_terminal_that_reported_within_the_day_is_fine():
    plant(reporting_terminal(), at=ago(hours=23))
    audit()
    assert alerts("reporting_gap") == []


def test_silent_terminal_is_found_in_a_run_that_saw_no_new_reports():
    terminal = reporting_terminal()
    plant(terminal, at=ago(hours=30))
    audit(window_end=ago(hours=29))
    audit()
    assert alert_of("reporting_gap").terminal == terminal


def test_running_again_does_not_repeat_the_silent_alert():
    plant(reporting_terminal(), at=ago(hours=30))
    audit(window_end=ago(minutes=10))
    audit()
    assert len(alerts("reporting_gap")) == 1


def test_a_terminal_that_never_reported_is_not_silent():
    reporting_terminal()
    audit()
    assert alerts("reporting_gap") == []


def test_a_suspended_terminal_may_be_silent():
    terminal = reporting_terminal()
    plant(terminal, at=ago(hours=30))
    type(terminal).objects.filter(pk=terminal.pk).update(status=TerminalStatus.SUSPENDED)
    audit()
    assert alerts("reporting_gap") == []


def test_a_merchant_with_reporting_off_may_be_silent():
    terminal = reporting_terminal()
    plant(terminal, at=ago(hours=30))
    ReportingSettings.objects.filter(merchant=terminal.merchant).update(enabled=False)
    audit()
    assert alerts("reporting_gap") == []


def test_the_silent_hours_edited_on_the_rule_are_honoured():
    set_params("reporting_gap", silent_hours=48)
    plant(reporting_terminal(), at=ago(hours=30))
    audit()
    assert alerts("reporting_gap") == []


def test_dormant_terminal_that_reports_again_raises_an_alert():
    terminal = reporting_terminal()
    before = plant(terminal, at=ago(days=40))
    woke = plant(terminal, at=ago(hours=1))
    audit()
    alert = alert_of("reporting_gap")
    assert (alert.merchant, alert.terminal) == (terminal.merchant, terminal)
    assert report_ids(alert) == {before.pk, woke.pk}
    day = woke.occurred_at.astimezone(SHANGHAI).date()
    assert alert.explanation == (
        f"The terminal reported again on {day} after 39 days of silence (dormant after 30 days)."
    )


def test_a_terminal_quiet_for_just_under_the_dormant_period_is_fine():
    terminal = reporting_terminal()
    plant(terminal, at=ago(days=29, hours=23))
    plant(terminal, at=ago(hours=1))
    audit()
    assert alerts("reporting_gap") == []


def test_a_dormant_gap_inside_one_run_is_found():
    """The first run looks back 35 days: both ends of a 31-day gap fall inside it."""
    terminal = reporting_terminal()
    plant(terminal, at=ago(days=33))
    plant(terminal, at=ago(days=2))
    plant(terminal, at=ago(hours=1))
    audit()
    assert "after 31 days of silence" in alert_of("reporting_gap").explanation


def test_a_dormant_terminal_waking_after_the_last_run_is_found():
    terminal = reporting_terminal()
    plant(terminal, at=ago(days=40))
    audit(window_end=ago(days=39, hours=12))
    woke = plant(terminal, at=ago(hours=1))
    audit()
    assert woke.pk in report_ids(alert_of("reporting_gap"))


def test_a_terminal_reporting_for_the_first_time_is_not_waking():
    plant(reporting_terminal(), at=ago(hours=1))
    audit()
    assert alerts("reporting_gap") == []


def test_the_dormant_days_edited_on_the_rule_are_honoured():
    set_params("reporting_gap", dormant_days=45)
    terminal = reporting_terminal()
    plant(terminal, at=ago(days=40))
    plant(terminal, at=ago(hours=1))
    audit()
    assert alerts("reporting_gap") == []


def test_running_again_does_not_repeat_the_waking_alert():
    terminal = reporting_terminal()
    plant(terminal, at=ago(days=40))
    plant(terminal, at=ago(hours=3))
    audit(window_end=ago(hours=2))
    plant(terminal, at=ago(hours=1))
    audit()
    assert len(alerts("reporting_gap")) == 1


@pytest.mark.parametrize(
    ("gap", "woken"),
    [
        (timedelta(days=40), True),
        (timedelta(days=30, hours=1), True),
        (timedelta(days=29, hours=23), False),
        (timedelta(days=28), False),
        (timedelta(days=1), False),
        (timedelta(hours=3), False),
    ],
)
def test_with_the_daily_rollup_kept_the_same_gaps_wake(gap, woken):
    """Ingestion keeps the daily rollup; the rule settles active terminals from it, and must
    find exactly what it finds from the reports alone (the tests above keep no rollup)."""
    terminal = reporting_terminal()
    plant(terminal, at=ago(hours=1) - gap)
    plant(terminal, at=ago(hours=1))
    rollup_rebuild()
    audit()
    assert (alerts("reporting_gap") != []) is woken


@pytest.mark.parametrize("before", [timedelta(days=1), timedelta(days=3), timedelta(days=27)])
def test_a_terminal_active_in_the_last_days_is_settled_without_searching_its_reports(before):
    """The day before is read first, then the rest of the dormancy for the terminals that did
    not report then: either way no search of the earlier reports."""
    terminal = reporting_terminal()
    plant(terminal, at=ago(hours=1) - before)
    audit(window_end=ago(hours=2))
    plant(terminal, at=ago(hours=1))
    rollup_rebuild()
    with CaptureQueriesContext(connection) as queries:
        audit()
    assert not [a for a in alerts("reporting_gap") if "reported again" in a.explanation]
    earlier_searches = [q for q in queries.captured_queries if 'U0."received_at" <=' in q["sql"]]
    assert earlier_searches == []


@pytest.mark.parametrize(
    ("since", "silent"),
    [
        (timedelta(hours=25), True),
        (timedelta(hours=24, minutes=1), True),
        (timedelta(hours=23, minutes=59), False),
        (timedelta(hours=23), False),
        (timedelta(hours=2), False),
    ],
)
def test_a_terminal_is_silent_after_the_silent_hours_with_the_daily_rollup_kept(since, silent):
    terminal = reporting_terminal()
    plant(terminal, at=ago(days=3))
    plant(terminal, at=timezone.now() - since)
    rollup_rebuild()
    audit()
    found = [a for a in alerts("reporting_gap") if "reported nothing" in a.explanation]
    assert (found != []) is silent
