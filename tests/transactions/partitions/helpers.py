"""Where a report is stored, and the PostgreSQL-only mark of the partition tests."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from django.db import connection

from portal.common.beijing import SHANGHAI

partitioned_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite keeps one plain report table; partitions are PostgreSQL's",
)


def table_of(report_pk: int) -> str:
    """The partition (table name) the report's row is in."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM transactions_report WHERE id = %s", [report_pk]
        )
        return cursor.fetchone()[0]


def beijing(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def keys(**filters: Any) -> int:
    from transactions.models import ReportKey

    return ReportKey.objects.filter(**filters).count()
