# ruff: noqa: S608  (table names come from ddl.py and partition_name(); bounds are made from dates)
"""Keeping the report table's monthly partitions: made ahead, detached to the archive, attached.

PostgreSQL only (SQLite keeps one plain table: every service here is a no-op or refuses there).
A month's reports that came before its partition (a terminal with its clock in next year) sit in
the default partition; making the month's partition moves them into it, in one transaction, as
PostgreSQL will not create a partition over rows its default partition holds. Each change is
recorded as a ``ReportPartitionEvent`` (the admin shows them). docs/partitions.md has the design.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.common.beijing import add_months, month_of
from transactions.models import PartitionAction, ReportPartitionEvent
from transactions.partitions.ddl import (
    ARCHIVE_SCHEMA,
    DEFAULT,
    MOVING,
    PARENT,
    literal,
    name_partition_indexes,
)
from transactions.partitions.months import partition_name
from transactions.partitions.selectors import (
    Partition,
    cold_partitions,
    hot_since,
    report_partitions,
    reports_partitioned,
)

# pg_advisory_xact_lock's key for partition changes: one at a time, the beat task's and the
# command's alike.
LOCK_KEY = 0x7265706F7274  # "report"


class PartitionError(Exception):
    """A partition change that cannot be made; the message says why."""


def partitions_ensure(*, actor: str, now: datetime | None = None) -> list[ReportPartitionEvent]:
    """Make this month's partition and REPORT_PARTITIONS_AHEAD more; returns what was made.

    Months that already have one are left alone, so the beat task can run as often as it likes.
    """
    if not reports_partitioned():
        return []
    first = month_of(now or timezone.now())
    made = []
    for ahead in range(settings.REPORT_PARTITIONS_AHEAD + 1):
        event = partition_create(month=add_months(first, ahead), actor=actor)
        if event is not None:
            made.append(event)
    return made


def partition_create(*, month: date, actor: str) -> ReportPartitionEvent | None:
    """Make ``month``'s partition, moving in the month's reports from the default partition.

    Returns None when the month has its partition already; refuses an archived month (attach
    it instead: a second table for the same month could never be attached again).
    """
    _require_partitioned()
    with transaction.atomic():
        found = _locked_partitions().get(month)
        if found is not None and found.attached:
            return None
        if found is not None:
            raise PartitionError(
                _("The reports of %(month)s are archived: attach them instead.")
                % {"month": f"{month:%Y-%m}"}
            )
        table = partition_name(month)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS)")
        moved = _attach(table, month)
        return _record(PartitionAction.CREATED, month=month, table=table, rows=moved, actor=actor)


def partition_detach(
    *, month: date, actor: str, now: datetime | None = None
) -> ReportPartitionEvent:
    """Detach ``month``'s partition from the report table into the ``archive`` schema.

    Only months older than the hot window (ARCHIVE_HOT_MONTHS, this month included): the hot
    table's pages, rollups and audits never read them. The detached table keeps its rows and
    indexes (``archive.transactions_report_pYYYY_MM``) until it is attached again or dropped; the
    keys of its reports stay, so a resend of one of them is still answered as a duplicate.
    """
    _require_partitioned()
    if month >= hot_since(now):
        raise PartitionError(
            _("%(month)s is within the last %(count)s months: it stays in the report table.")
            % {"month": f"{month:%Y-%m}", "count": settings.ARCHIVE_HOT_MONTHS}
        )
    with transaction.atomic():
        found = _locked_partitions().get(month)
        if found is None or not found.attached:
            raise PartitionError(
                _("%(month)s has no partition in the report table.") % {"month": f"{month:%Y-%m}"}
            )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {found.table}")
            (rows,) = cursor.fetchone()
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
            cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {found.table}")
            cursor.execute(f"ALTER TABLE {found.table} SET SCHEMA {ARCHIVE_SCHEMA}")
        return _record(
            PartitionAction.DETACHED, month=month, table=found.table, rows=rows, actor=actor
        )


def partitions_detach_cold(
    *, actor: str, now: datetime | None = None
) -> list[ReportPartitionEvent]:
    """Detach every partition older than the hot window (the command's ``detach --cold``)."""
    return [
        partition_detach(month=p.month, actor=actor, now=now)
        for p in cold_partitions(now)
        if p.month is not None
    ]


def partition_attach(*, month: date, actor: str) -> ReportPartitionEvent:
    """Attach ``month``'s archived partition to the report table again.

    Reports of that month stored meanwhile (in the default partition) move into it.
    """
    _require_partitioned()
    with transaction.atomic():
        found = _locked_partitions().get(month)
        if found is None or found.attached:
            raise PartitionError(
                _("%(month)s has no archived partition.") % {"month": f"{month:%Y-%m}"}
            )
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {ARCHIVE_SCHEMA}.{found.table} SET SCHEMA public")
            cursor.execute(f"SELECT count(*) FROM {found.table}")
            (rows,) = cursor.fetchone()
        moved = _attach(found.table, month)
        return _record(
            PartitionAction.ATTACHED, month=month, table=found.table, rows=rows + moved, actor=actor
        )


def _attach(table: str, month: date) -> int:
    """Move the month's rows from the default partition into ``table``, then attach it.

    The rows leave the default partition first (PostgreSQL refuses a partition whose range has
    rows in the default one); their keys stay. A check constraint on the month's bounds lets
    ATTACH skip scanning ``table``. Returns how many rows moved.
    """
    start, end = literal(month)
    columns = ", ".join(_columns())
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with deferred checks still pending in this transaction
        # (reports inserted earlier in it): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT set_config(%s, 'on', true)", [MOVING])
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE occurred_at >= {start} "
            f"AND occurred_at < {end} RETURNING {columns}) "
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM moved"
        )
        moved = cursor.rowcount
        cursor.execute("SELECT set_config(%s, 'off', true)", [MOVING])
        cursor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_bounds "
            f"CHECK (occurred_at IS NOT NULL AND occurred_at >= {start} AND occurred_at < {end})"
        )
        cursor.execute(
            f"ALTER TABLE {PARENT} ATTACH PARTITION {table} FOR VALUES FROM ({start}) TO ({end})"
        )
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_bounds")
    name_partition_indexes(connection, table)
    return moved


def _columns() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [PARENT],
        )
        return [row[0] for row in cursor.fetchall()]


def _locked_partitions() -> dict[date, Partition]:
    """The monthly partitions by month, read under the partition lock (in a transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    return {p.month: p for p in report_partitions() if p.month is not None}


def _require_partitioned() -> None:
    if not reports_partitioned():
        raise PartitionError(_("The report table is not partitioned on this database."))


def _record(
    action: PartitionAction, *, month: date, table: str, rows: int, actor: str
) -> ReportPartitionEvent:
    return ReportPartitionEvent.objects.create(
        action=action, month=month, table=table, rows=rows, actor=actor
    )
