"""Which months may be archived: the text, the future, the hot window; each refused clearly."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.common.beijing import add_months, month_bounds
from tests.transactions.archive.helpers import due_month
from transactions.archive.months import MonthError, archivable_month, current_month, parse_month


@pytest.mark.parametrize("text", ["2024-9", "2024/09", "2024-13", "2024-00", "sept", "", "1999-12"])
def test_a_month_not_written_yyyy_mm_is_refused(text):
    with pytest.raises(MonthError, match="YYYY-MM"):
        parse_month(text)


def test_a_beijing_month_runs_from_its_first_midnight_to_the_next_months():
    start, end = month_bounds(parse_month("2026-03"))
    assert start.isoformat() == "2026-03-01T00:00:00+08:00"
    assert end.isoformat() == "2026-04-01T00:00:00+08:00"


def test_december_ends_at_the_next_new_year():
    assert month_bounds(parse_month("2025-12"))[1].isoformat() == "2026-01-01T00:00:00+08:00"


def test_a_future_month_is_refused():
    future = add_months(current_month(), 2)
    with pytest.raises(MonthError, match="future"):
        archivable_month(f"{future:%Y-%m}")


def test_a_month_inside_the_hot_window_is_refused_naming_the_newest_that_can_go(settings):
    inside = add_months(due_month(), 1)
    with pytest.raises(MonthError, match="hot window") as refused:
        archivable_month(f"{inside:%Y-%m}")
    assert f"{due_month():%Y-%m}" in str(refused.value)
    assert str(settings.ARCHIVE_HOT_MONTHS) in str(refused.value)


def test_the_current_month_is_inside_the_hot_window():
    with pytest.raises(MonthError, match="hot window"):
        archivable_month(f"{current_month():%Y-%m}")


def test_the_hot_window_follows_the_setting(settings):
    settings.ARCHIVE_HOT_MONTHS = 1
    month = add_months(current_month(), -2)
    assert archivable_month(f"{month:%Y-%m}") == month


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("2024/09", "YYYY-MM"),
        (f"{add_months(current_month(), 1):%Y-%m}", "future"),
        (f"{current_month():%Y-%m}", "hot window"),
    ],
)
def test_the_command_refuses_bad_months_with_the_reason(argument, message):
    with pytest.raises(CommandError, match=message):
        call_command("archive_reports", "--month", argument)


@pytest.mark.django_db
def test_the_command_refuses_a_month_without_reports():
    with pytest.raises(CommandError, match="no reports"):
        call_command("archive_reports", "--month", f"{due_month():%Y-%m}")


@pytest.mark.django_db
def test_the_command_needs_a_month_or_due():
    with pytest.raises(CommandError):
        call_command("archive_reports")


@pytest.mark.django_db
def test_due_archives_every_month_past_the_hot_window_and_leaves_the_rest():
    from io import StringIO

    from tests.transactions.archive.helpers import reports_in
    from transactions.models import ArchiveMonth, Report

    reports_in(due_month(2), 2)
    reports_in(due_month(), 1)
    hot = reports_in(add_months(due_month(), 1), 1)
    out = StringIO()
    call_command("archive_reports", "--due", stdout=out)
    assert sorted(ArchiveMonth.objects.values_list("month", flat=True)) == [
        due_month(2),
        due_month(),
    ]
    assert list(Report.objects.values_list("pk", flat=True)) == [hot[0].pk]
    assert "2 month(s) archived." in out.getvalue()
