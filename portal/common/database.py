"""What differs between the databases the portal runs on: PostgreSQL in production, SQLite in
development and most of the suite.

Callers ask for the feature they rely on (``has_copy()``, ``has_advisory_locks()``) rather than
for a vendor, so that each branch says why it is there; SQL that the two spell differently is
built here. Everything reads the default connection, the only one the portal has.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import msgspec
from django.db import connection
from django.db.models import F, Field, Lookup, Model, Q


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def has_copy() -> bool:
    """``COPY … FROM STDIN`` through psycopg's cursor: PostgreSQL's fastest way in.

    Elsewhere rows go in with ``bulk_create``.
    """
    return _postgresql()


def has_advisory_locks() -> bool:
    """Advisory locks (``pg_try_advisory_lock``, ``pg_advisory_xact_lock``): PostgreSQL.

    SQLite needs none: it runs one writing transaction at a time.
    """
    return _postgresql()


def has_array_parameters() -> bool:
    """A list bound as one array parameter (``= ANY(%s::text[])``, ``unnest(%s::bigint[])``).

    SQLite takes scalars only: a list goes in as many bound parameters, chunked under its limit.
    """
    return _postgresql()


class _AnyOf(Lookup):
    """``lhs = ANY(%s::type[])``: the values as one array parameter."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: list[Any], array_type: str) -> None:
        super().__init__(lhs, rhs)
        self.array_type = array_type

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{self.array_type}[])", [*lhs_params, self.rhs]


def one_of(field: str, values: Collection[Any], *, array_type: str = "bigint") -> Q | Lookup:
    """A filter on ``field`` being one of ``values``, for long lists (thousands of ids).

    ``field__in`` binds each value as a parameter of its own, which Django prepares one by one:
    a few milliseconds of Python for every query over a few thousand merchants or terminals. On
    PostgreSQL the list goes as one array instead (the same plan: PostgreSQL turns an ``IN``
    list into ``= ANY`` of an array); elsewhere it stays an ``IN`` list.
    """
    if has_array_parameters():
        return _AnyOf(F(field), list(values), array_type)
    return Q(**{f"{field}__in": values})


def has_planner_settings() -> bool:
    """Settings that steer the planner and executor (``work_mem``, ``jit``, ``enable_*``),
    changed with ``SET`` for a session or ``SET LOCAL`` for a transaction: PostgreSQL.

    SQLite has none of them: what they would change there is left as it is.
    """
    return _postgresql()


def refresh_statistics(table: str) -> None:
    """Analyse ``table`` now where the planner's estimates depend on it (PostgreSQL).

    Rows written a moment ago are unknown to PostgreSQL's planner until autovacuum gets to them:
    it would plan joins with the table as if it were empty. SQLite is left as it is.
    """
    if not _postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def bytewise(expression: str) -> str:
    """``expression`` (text) compared byte by byte rather than by the database's collation.

    PostgreSQL's "C" collation; SQLite's default collation (BINARY) already is.
    """
    return f'{expression} COLLATE "C"' if _postgresql() else expression


def seconds_around(expression: str, seconds: int) -> tuple[str, str, dict[str, Any]]:
    """SQL for the timestamp ``expression`` minus and plus ``seconds``, and their parameters.

    The parameters are named (``window``, or ``low`` and ``high``): for a statement whose other
    placeholders are ``%(name)s`` too, with none of these names.
    """
    if _postgresql():
        return (
            f"{expression} - make_interval(secs => %(window)s)",
            f"{expression} + make_interval(secs => %(window)s)",
            {"window": seconds},
        )
    return (
        f"datetime({expression}, %(low)s)",
        f"datetime({expression}, %(high)s)",
        {"low": f"-{seconds} seconds", "high": f"+{seconds} seconds"},
    )


def time_distance(first: str, second: str) -> str:
    """SQL for how far apart two timestamps are, to order by: the unit differs.

    Seconds on PostgreSQL, days (with their fraction) on SQLite: compare such distances with each
    other, never with a number.
    """
    if _postgresql():
        return f"ABS(EXTRACT(EPOCH FROM ({first} - {second})))"
    return f"ABS(julianday({first}) - julianday({second}))"


def update_rows(objects: Sequence[Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of each of ``objects`` (instances of one model) by primary key.

    One ``UPDATE … WHERE pk = %s`` sent with every object's values (``executemany``, which
    psycopg pipelines), where ``bulk_update`` builds a ``CASE`` of every object for every field:
    about 0.2 ms of Python per object and field (an audit updating a hundred alerts spent 0.1 s
    there). No signals are sent, as with ``bulk_update``.
    """
    if not objects:
        return
    meta = objects[0]._meta
    columns: list[Field] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, Field) or not field.concrete:
            raise ValueError(f"{name} is not a column of {meta.label}")
        columns.append(field)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    # Names from the model's own metadata, values bound: nothing of a caller's goes in the SQL.
    table, key = quote(meta.db_table), quote(meta.pk.column)
    statement = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL ``COPY … FROM STDIN`` of ``rows``, inside the surrounding transaction.

    The raw psycopg cursor bypasses Django's error translation, so it is wrapped: a connection
    lost mid-COPY raises Django's ``OperationalError`` (the API's 503) and marks the connection
    for closing, like any other query. Call only where :func:`has_copy` is true.
    """
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def insert_row(
    table: str, columns: Sequence[str], row: Sequence[Any], *, returning: Sequence[str] = ()
) -> tuple[Any, ...] | None:
    """One ``INSERT`` of ``row`` into ``columns``; the ``returning`` columns of the row as
    stored, if any are named. For a single row: one round trip, where :func:`copy_rows` takes two.
    """
    # Only the caller's table and column names are formatted in; every value is a parameter.
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, row)
        return cursor.fetchone() if returning else None


def next_ids(table: str, n: int) -> list[int]:
    """``n`` ids taken from the sequence of ``table``'s ``id`` (PostgreSQL), for rows written
    with :func:`copy_rows` whose ids are wanted without reading them back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [pk for (pk,) in cursor.fetchall()]


@contextmanager
def pipelined() -> Iterator[None]:
    """Statements in the block that return nothing go to the server without waiting for each
    other's answers: psycopg's pipeline mode, on PostgreSQL (a statement whose rows are fetched
    waits for those before it). Errors are Django's, as for any query; no ``COPY`` inside.
    Elsewhere the block runs as it is.
    """
    if not _postgresql():
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def copy_json(value: object) -> str:
    """A value for a json / jsonb column of :func:`copy_rows`: its JSON text, encoded by msgspec
    (a seventh of ``json.dumps``'s time: a twelve-check decision record takes 5 µs)."""
    return msgspec.json.encode(value).decode()
