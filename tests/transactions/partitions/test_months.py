"""Partition months are Beijing business months, whatever the database's or the server's zone."""

from datetime import UTC, date, datetime

import pytest

from portal.common.beijing import add_months, month_bounds, month_of
from transactions.archive.months import parse_month
from transactions.partitions.months import month_of_name, partition_name


def test_the_last_minute_of_a_beijing_month_is_that_month_though_utc_says_the_day_before():
    # 30 November 23:59 in Beijing is 15:59 UTC the same day; 1 December 00:01 is 16:01 UTC.
    assert month_of(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == date(2026, 11, 1)
    assert month_of(datetime(2026, 11, 30, 16, 1, tzinfo=UTC)) == date(2026, 12, 1)


def test_bounds_are_beijing_midnights():
    start, end = month_bounds(date(2026, 12, 1))
    assert start == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 16, tzinfo=UTC)


def test_months_add_across_years_both_ways():
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 12, 1), -25) == date(2024, 11, 1)


def test_partition_names_read_back_as_their_month():
    assert partition_name(date(2027, 1, 1)) == "transactions_report_p2027_01"
    assert month_of_name("transactions_report_p2027_01") == date(2027, 1, 1)
    assert month_of_name("transactions_report_default") is None


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-01", "next month", ""])
def test_a_month_that_is_not_yyyy_mm_is_refused(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


def test_a_month_is_read_from_yyyy_mm():
    assert parse_month(" 2024-03 ") == date(2024, 3, 1)
