# ruff: noqa: S608  (table names are this module's constants and partition_name(); bounds are made from dates here)
"""The SQL that makes PostgreSQL's report table partitioned, and keeps its keys exact.

Run once by ``transactions/migrations/0027_report_partitions.py`` on PostgreSQL (SQLite keeps the
plain table). Everything here is DDL on the reports' own tables; docs/partitions.md says why it is
shaped so.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

from portal.common.beijing import add_months, month_bounds
from transactions.partitions.months import partition_name

PARENT = "transactions_report"
DEFAULT = "transactions_report_default"
KEYS = "transactions_report_key"
ARCHIVE_SCHEMA = "archive"
# Set (transaction-locally) while reports move between partitions: their keys stay as they are.
MOVING = "portal.moving_reports"
# Months further back than this with rows at conversion go to the default partition: a clock
# that once said 1970 does not get a table of its own.
OLDEST_MONTHS = 120

KEY_TABLE = f"""
CREATE TABLE {KEYS} (
    report_id uuid NOT NULL,
    terminal_id bigint NOT NULL,
    content_hash varchar(64) NOT NULL,
    upload_id bigint NULL,
    CONSTRAINT {KEYS}_pkey PRIMARY KEY (report_id, terminal_id)
)
"""

# One set-based insert of the keys per statement (a million-row COPY included), from the rows it
# inserted (a transition table): a second copy of a key fails the statement with a
# unique_violation on the key's primary key, as the plain table's constraint did; a concurrent
# insert of the same key waits for this transaction and fails if it commits. Measured against a
# per-row trigger in bench/report_partitions.py. Statement triggers fire for statements on the
# parent only: reports are written through transactions_report, never into a partition. Deletes
# take the key along (a report that is gone can be stored again), except while the partition
# maintenance moves rows between partitions; TRUNCATE (Django's test flush, the benchmarks)
# empties the keys with the reports.
KEY_TRIGGERS = f"""
CREATE FUNCTION {KEYS}_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {KEYS} (report_id, terminal_id, content_hash, upload_id)
    SELECT report_id, terminal_id, content_hash, upload_id FROM inserted;
    RETURN NULL;
END $$;
CREATE FUNCTION {KEYS}_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{MOVING}', true) IS DISTINCT FROM 'on' THEN
        DELETE FROM {KEYS} WHERE report_id = OLD.report_id AND terminal_id = OLD.terminal_id;
    END IF;
    RETURN OLD;
END $$;
CREATE FUNCTION {KEYS}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {KEYS};
    RETURN NULL;
END $$;
CREATE TRIGGER report_key_insert AFTER INSERT ON {PARENT} REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION {KEYS}_insert();
CREATE TRIGGER report_key_delete AFTER DELETE ON {PARENT}
    FOR EACH ROW EXECUTE FUNCTION {KEYS}_delete();
CREATE TRIGGER report_key_truncate AFTER TRUNCATE ON {PARENT}
    FOR EACH STATEMENT EXECUTE FUNCTION {KEYS}_truncate();
"""


def literal(month: date) -> tuple[str, str]:
    """The month's bounds as SQL timestamptz literals (made here, never from input)."""
    start, end = month_bounds(month)
    return f"'{start.isoformat()}'::timestamptz", f"'{end.isoformat()}'::timestamptz"


def partition_report_table(connection: BaseDatabaseWrapper, *, today: date, ahead: int) -> None:
    """Turn the plain ``transactions_report`` into one partitioned by month of ``occurred_at``.

    Monthly partitions for every month with reports (back to OLDEST_MONTHS) and for the months
    from ``today``'s to ``ahead`` later, a default partition for the rest. The primary key becomes
    ``(id, occurred_at)``, the unique ``(report_id, terminal_id)`` becomes unique with
    ``occurred_at`` (what a partitioned table allows); ``transactions_report_key`` keeps the pair
    exact. The other indexes, foreign keys and checks are the plain table's, made on the parent.
    """
    with connection.cursor() as cursor:
        # No deferred checks may be pending on a table that ALTER TABLE changes.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        indexes = _index_definitions(cursor)
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c', 'u') ORDER BY conname",
            [PARENT],
        )
        constraints = [
            (name, _with_time(definition) if kind == "u" else definition)
            for name, kind, definition in cursor.fetchall()
        ]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [PARENT])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        cursor.execute(
            "SELECT attidentity FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'",
            [PARENT],
        )
        (identity,) = cursor.fetchone()
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE %s)::date FROM {PARENT}",
            [settings.TIME_ZONE],
        )
        months = {row[0] for row in cursor.fetchall()}

        cursor.execute(f"ALTER TABLE {PARENT} RENAME TO {PARENT}_plain")
        if identity:
            cursor.execute(f"ALTER TABLE {PARENT}_plain ALTER COLUMN id DROP IDENTITY")
        else:
            cursor.execute(f"ALTER TABLE {PARENT}_plain ALTER COLUMN id DROP DEFAULT")
            cursor.execute(f"DROP SEQUENCE {sequence}")
        cursor.execute(
            f"CREATE TABLE {PARENT} (LIKE {PARENT}_plain INCLUDING DEFAULTS) "
            "PARTITION BY RANGE (occurred_at)"
        )
        cursor.execute(f"CREATE SEQUENCE {PARENT}_id_seq OWNED BY {PARENT}.id")
        cursor.execute(f"SELECT setval('{PARENT}_id_seq', %s, %s)", [last_value, is_called])
        cursor.execute(
            f"ALTER TABLE {PARENT} ALTER COLUMN id SET DEFAULT nextval('{PARENT}_id_seq')"
        )
        cursor.execute(KEY_TABLE)
        cursor.execute(KEY_TRIGGERS)
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {PARENT} DEFAULT")
        oldest = add_months(today, -OLDEST_MONTHS)
        wanted = {m for m in months if oldest <= m} | {
            add_months(today, n) for n in range(ahead + 1)
        }
        for month in sorted(wanted):
            start, end = literal(month)
            cursor.execute(
                f"CREATE TABLE {partition_name(month)} PARTITION OF {PARENT} "
                f"FOR VALUES FROM ({start}) TO ({end})"
            )
        # Through the parent: every row finds its partition, and its key goes in by the trigger.
        cursor.execute(f"INSERT INTO {PARENT} SELECT * FROM {PARENT}_plain")
        cursor.execute(f"DROP TABLE {PARENT}_plain")
        cursor.execute(
            f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (id, occurred_at)"
        )
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {PARENT} ADD CONSTRAINT "{name}" {definition}')
        for definition in indexes:
            cursor.execute(definition)
        for table in [DEFAULT, *(partition_name(month) for month in sorted(wanted))]:
            name_partition_indexes(connection, table)


def name_partition_indexes(connection: BaseDatabaseWrapper, table: str) -> None:
    """Name ``table``'s indexes after the parent's: ``report_merchant_rrn4_p2026_12``.

    PostgreSQL names a partition's copy of an index from its columns; named after the index it
    copies, the plans (EXPLAIN) say which of the model's indexes serve a query.
    """
    suffix = table.removeprefix(f"{PARENT}_")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname, parent.relname FROM pg_inherits i "
            "JOIN pg_class child ON child.oid = i.inhrelid "
            "JOIN pg_class parent ON parent.oid = i.inhparent "
            "JOIN pg_index x ON x.indexrelid = child.oid "
            "WHERE x.indrelid = %s::regclass AND parent.relkind = 'I'",
            [table],
        )
        for current, parent in cursor.fetchall():
            wanted = f"{parent[: 62 - len(suffix)]}_{suffix}"
            if current != wanted:
                cursor.execute(f'ALTER INDEX "{current}" RENAME TO "{wanted}"')


def _index_definitions(cursor: Any) -> list[str]:
    """The report table's indexes that no constraint owns, as ``CREATE INDEX`` statements."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [PARENT],
    )
    return [row[0] for row in cursor.fetchall()]


def _with_time(unique: str) -> str:
    """``UNIQUE (report_id, terminal_id)`` → ``UNIQUE (report_id, terminal_id, occurred_at)``."""
    columns = re.fullmatch(r"UNIQUE \((.*)\)", unique)
    if columns is None:
        raise ValueError(f"not a plain unique constraint: {unique}")
    return f"UNIQUE ({columns[1]}, occurred_at)"


def unpartition_report_table(connection: BaseDatabaseWrapper) -> None:
    """The way back: one plain table with the partitions' rows (archived months stay archived)."""
    with connection.cursor() as cursor:
        # No deferred checks may be pending on a table that ALTER TABLE changes.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # A partitioned table's index reads "ON ONLY" (this table, not its partitions).
        indexes = [index.replace(" ON ONLY ", " ON ") for index in _index_definitions(cursor)]
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c', 'u') AND conparentid = 0 "
            "ORDER BY conname",
            [PARENT],
        )
        constraints = [
            (name, definition.replace(", occurred_at)", ")") if kind == "u" else definition)
            for name, kind, definition in cursor.fetchall()
        ]
        cursor.execute(f"SELECT last_value, is_called FROM {PARENT}_id_seq")
        last_value, is_called = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {PARENT} RENAME TO {PARENT}_partitioned")
        cursor.execute(f"ALTER TABLE {PARENT}_partitioned ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"ALTER SEQUENCE {PARENT}_id_seq OWNED BY NONE")
        cursor.execute(f"ALTER SEQUENCE {PARENT}_id_seq RENAME TO {PARENT}_old_seq")
        cursor.execute(f"CREATE TABLE {PARENT} (LIKE {PARENT}_partitioned)")
        cursor.execute(f"INSERT INTO {PARENT} SELECT * FROM {PARENT}_partitioned")
        cursor.execute(f"DROP TABLE {PARENT}_partitioned")
        cursor.execute(f"DROP SEQUENCE {PARENT}_old_seq")
        cursor.execute(f"ALTER TABLE {PARENT} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
            [PARENT, last_value, is_called],
        )
        cursor.execute(f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (id)")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {PARENT} ADD CONSTRAINT "{name}" {definition}')
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"DROP TABLE {KEYS}")
        for suffix in ("insert", "delete", "truncate"):
            cursor.execute(f"DROP FUNCTION {KEYS}_{suffix}()")
