"""Reports land in their Beijing month's partition; a month without one is stored all the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.common.beijing import add_months, month_bounds, month_of
from tests.transactions.helpers import REPORTS, TerminalAPI, report, reporting_terminal
from tests.transactions.partitions.helpers import beijing, keys, partitioned_only, table_of
from tests.transactions.report_factories import make_report
from transactions.models import PartitionAction, Report
from transactions.partitions.ddl import DEFAULT
from transactions.partitions.months import partition_name
from transactions.partitions.services import partition_create

pytestmark = [pytest.mark.django_db, partitioned_only]


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def test_the_last_minute_of_a_month_and_the_first_of_the_next_land_in_their_own_partitions(api):
    this = month_of(timezone.now())
    last = add_months(this, -1)
    partition_create(month=last, actor="test")
    for moment in (beijing(this - timedelta(days=1), 23, 59), beijing(this, 0, 1)):
        assert (
            api.post(REPORTS, report(api.terminal, occurred_at=moment.isoformat())).status_code
            == 201
        )
    stored = Report.objects.order_by("occurred_at")
    assert [table_of(r.pk) for r in stored] == [partition_name(last), partition_name(this)]


def test_a_report_of_a_month_without_a_partition_is_stored_in_the_default_partition(api):
    response = api.post(REPORTS, report(api.terminal, occurred_at="2019-06-15T10:00:00+08:00"))
    assert response.status_code == 201
    assert table_of(Report.objects.get().pk) == DEFAULT


def test_a_report_far_in_the_future_is_stored_in_the_default_partition():
    # The API refuses times more than 5 minutes ahead; other writers (COPY, fixtures) do not.
    far = add_months(month_of(timezone.now()), 40)
    stored = make_report(reporting_terminal(), occurred_at=beijing(far, 12, 0))
    assert table_of(stored.pk) == DEFAULT


def test_a_new_partition_takes_its_months_reports_out_of_the_default_partition():
    terminal = reporting_terminal()
    month = add_months(month_of(timezone.now()), 12)
    start, end = month_bounds(month)
    inside = [
        make_report(terminal, occurred_at=start),
        make_report(terminal, occurred_at=end - timedelta(microseconds=1)),
    ]
    outside = make_report(terminal, occurred_at=end)
    event = partition_create(month=month, actor="test")
    assert (event.action, event.rows, event.table) == (
        PartitionAction.CREATED,
        2,
        partition_name(month),
    )
    assert [table_of(r.pk) for r in inside] == [partition_name(month)] * 2
    assert table_of(outside.pk) == DEFAULT
    # Moved, not stored again: the keys stay one per report.
    assert keys(terminal_id=terminal.pk) == 3
    assert Report.objects.count() == 3


def test_making_a_partition_that_exists_changes_nothing():
    this = month_of(timezone.now())
    assert partition_create(month=this, actor="test") is None


def test_new_ids_follow_the_ones_before():
    terminal = reporting_terminal()
    first = make_report(
        terminal, occurred_at=beijing(add_months(month_of(timezone.now()), 30), 1, 0)
    )
    second = make_report(terminal)
    assert second.pk > first.pk
