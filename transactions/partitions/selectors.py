"""Reading the report table's partitions (PostgreSQL): which months are where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from portal.common.beijing import add_months
from transactions.archive.months import last_due_month
from transactions.partitions.ddl import ARCHIVE_SCHEMA, DEFAULT, PARENT
from transactions.partitions.months import NAME_PREFIX, month_of_name


@dataclass(frozen=True)
class Partition:
    """One of the report table's partitions, attached or detached to the archive schema."""

    table: str
    month: date | None  # None: the default partition
    attached: bool

    @property
    def qualified(self) -> str:
        return self.table if self.attached else f"{ARCHIVE_SCHEMA}.{self.table}"


def reports_partitioned() -> bool:
    """Whether ``transactions_report`` is a partitioned table here (PostgreSQL, migrated)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def report_partitions() -> list[Partition]:
    """The attached partitions (the default one first, then by month) and the archived months."""
    if not reports_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        attached = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname LIKE %s",
            [ARCHIVE_SCHEMA, f"{NAME_PREFIX}%"],
        )
        archived = [row[0] for row in cursor.fetchall()]
    found = [Partition(table=name, month=month_of_name(name), attached=True) for name in attached]
    found += [
        Partition(table=name, month=month, attached=False)
        for name in archived
        if (month := month_of_name(name)) is not None
    ]
    return sorted(found, key=lambda p: (p.table != DEFAULT, p.month or date.min, p.attached))


def hot_since(now: datetime | None = None) -> date:
    """The first month of the hot window, the archive's (this month and ARCHIVE_HOT_MONTHS full
    months before it): a partition is cold once the archive may take its month."""
    return add_months(last_due_month(now), 1)


def cold_partitions(now: datetime | None = None) -> list[Partition]:
    """Attached monthly partitions older than the hot window: what ``detach --cold`` detaches."""
    since = hot_since(now)
    return [
        p for p in report_partitions() if p.attached and p.month is not None and p.month < since
    ]
