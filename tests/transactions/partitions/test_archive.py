"""Months older than the hot window are detached into the archive schema, on command only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portal.common.beijing import add_months, month_of
from tests.transactions.helpers import REPORTS, TerminalAPI, report, reporting_terminal
from tests.transactions.partitions.helpers import beijing, keys, partitioned_only, table_of
from tests.transactions.report_factories import make_report
from transactions.models import PartitionAction, Report, ReportPartitionEvent
from transactions.partitions.months import partition_name
from transactions.partitions.selectors import cold_partitions, hot_since, report_partitions
from transactions.partitions.services import (
    PartitionError,
    partition_attach,
    partition_create,
    partition_detach,
    partitions_detach_cold,
)

pytestmark = [pytest.mark.django_db, partitioned_only]


@pytest.fixture
def old_month(settings):
    settings.ARCHIVE_HOT_MONTHS = 25
    month = add_months(month_of(timezone.now()), -30)
    partition_create(month=month, actor="test")
    return month


def test_detaching_a_cold_month_moves_its_table_to_the_archive_schema(old_month):
    stored = make_report(reporting_terminal(), occurred_at=beijing(old_month, 12, 0))
    event = partition_detach(month=old_month, actor="ops")
    assert (event.action, event.rows, event.actor) == (PartitionAction.DETACHED, 1, "ops")
    assert not Report.objects.filter(pk=stored.pk).exists()
    archived = [p.qualified for p in report_partitions() if not p.attached]
    assert archived == [f"archive.{partition_name(old_month)}"]
    assert keys(report_id=stored.report_id) == 1


def test_a_resend_of_an_archived_report_is_still_a_duplicate(client, old_month):
    api = TerminalAPI(client)
    payload = report(api.terminal, occurred_at=beijing(old_month, 12, 0).isoformat())
    assert api.post(REPORTS, payload).status_code == 201
    partition_detach(month=old_month, actor="ops")
    response = api.post(REPORTS, payload)
    assert (response.status_code, response.json()["status"]) == (200, "duplicate")
    assert Report.objects.count() == 0


def test_attaching_brings_the_month_back_with_the_reports_stored_meanwhile(old_month):
    terminal = reporting_terminal()
    before = make_report(terminal, occurred_at=beijing(old_month, 9, 0))
    partition_detach(month=old_month, actor="ops")
    meanwhile = make_report(terminal, occurred_at=beijing(old_month, 10, 0))  # default partition
    event = partition_attach(month=old_month, actor="ops")
    assert (event.action, event.rows) == (PartitionAction.ATTACHED, 2)
    assert [table_of(r.pk) for r in (before, meanwhile)] == [partition_name(old_month)] * 2
    assert keys(terminal_id=terminal.pk) == 2


def test_the_oldest_hot_month_stays_and_the_one_before_it_may_go(settings):
    settings.ARCHIVE_HOT_MONTHS = 25
    oldest_hot = hot_since()
    assert oldest_hot == add_months(month_of(timezone.now()), -25)  # 25 full months before
    for month in (oldest_hot, add_months(oldest_hot, -1)):
        partition_create(month=month, actor="test")
    with pytest.raises(PartitionError, match="within the last 25 months"):
        partition_detach(month=oldest_hot, actor="ops")
    assert [p.month for p in cold_partitions()] == [add_months(oldest_hot, -1)]
    assert partition_detach(month=add_months(oldest_hot, -1), actor="ops").rows == 0


def test_detach_cold_detaches_every_cold_month_and_records_each(old_month):
    older = add_months(old_month, -1)
    partition_create(month=older, actor="test")
    events = partitions_detach_cold(actor="ops")
    assert [e.month for e in events] == [older, old_month]
    assert ReportPartitionEvent.objects.filter(action=PartitionAction.DETACHED).count() == 2
    assert cold_partitions() == []


def test_a_month_without_a_partition_cannot_be_detached(settings):
    settings.ARCHIVE_HOT_MONTHS = 25
    with pytest.raises(PartitionError, match="no partition"):
        partition_detach(month=add_months(month_of(timezone.now()), -40), actor="ops")


def test_an_archived_month_gets_no_second_partition(old_month):
    partition_detach(month=old_month, actor="ops")
    with pytest.raises(PartitionError, match="archived"):
        partition_create(month=old_month, actor="test")


def test_a_month_that_is_not_archived_cannot_be_attached(old_month):
    with pytest.raises(PartitionError, match="no archived partition"):
        partition_attach(month=old_month, actor="ops")
