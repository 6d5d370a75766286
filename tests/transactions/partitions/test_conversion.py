"""Migration 0027 turns a report table with rows into the partitioned one, and back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.utils import timezone

from portal.common.beijing import add_months, month_of
from tests.transactions.helpers import reporting_terminal
from tests.transactions.partitions.helpers import beijing, keys, partitioned_only, table_of
from tests.transactions.report_factories import make_report
from transactions.models import Report
from transactions.partitions.ddl import DEFAULT, partition_report_table, unpartition_report_table
from transactions.partitions.months import partition_name
from transactions.partitions.selectors import report_partitions, reports_partitioned

pytestmark = [pytest.mark.django_db, partitioned_only]


def _unique_constraint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'report_unique_per_terminal'"
        )
        return cursor.fetchone()[0]


def test_a_table_with_reports_becomes_partitioned_with_its_rows_keys_and_ids():
    this = month_of(timezone.now())
    terminal = reporting_terminal()
    old = add_months(this, -5)
    rows = [
        make_report(terminal, occurred_at=beijing(old, 8, 0)),
        make_report(terminal),
        make_report(terminal, occurred_at=datetime(1970, 1, 2, tzinfo=UTC)),  # a clock at zero
    ]
    unpartition_report_table(connection)
    assert not reports_partitioned()
    assert _unique_constraint() == "UNIQUE (report_id, terminal_id)"
    assert Report.objects.count() == 3

    partition_report_table(connection, today=this, ahead=2)
    assert reports_partitioned()
    months = [p.month for p in report_partitions() if p.month is not None]
    assert months == [old, this, add_months(this, 1), add_months(this, 2)]
    assert [table_of(r.pk) for r in rows] == [partition_name(old), partition_name(this), DEFAULT]
    assert keys(terminal_id=terminal.pk) == 3  # filled from the rows moved in
    assert _unique_constraint() == "UNIQUE (report_id, terminal_id, occurred_at)"
    assert make_report(terminal).pk > max(r.pk for r in rows)


def test_the_plain_table_keeps_its_indexes_on_the_way_back():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'transactions_report'")
        partitioned = {row[0] for row in cursor.fetchall()}
        unpartition_report_table(connection)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'transactions_report'")
        plain = {row[0] for row in cursor.fetchall()}
    assert partitioned == plain
    assert {"report_terminal_time", "report_occurred_brin", "report_unique_per_terminal"} <= plain
