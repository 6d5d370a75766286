"""Querysets compiled once per process and run again with other values (PostgreSQL).

Building and compiling a Django queryset costs about half a millisecond of Python, a queryset
with subqueries two or three (``bench/README.md``, issue 13): on the terminal's hot path, where a
report makes a dozen small queries that the database answers in a tenth of a millisecond each,
that is most of the request. A :class:`CompiledQuery` builds its queryset twice, with two sample
values of each parameter, keeps the SQL and which positions the parameters take, and from then on
only binds the new values and runs the statement, applying the same converters the queryset
would.

Only the values named as parameters may change between calls: anything else the builder reads
(the clock, a setting) is compiled in once, which is why the builder must take "now" as a
parameter rather than call ``timezone.now()`` itself; a value it reads that differs between the
two sample builds is refused at the first call. Elsewhere than on PostgreSQL (SQLite adapts values
before binding them) the queryset is built and run each time. The default connection, like the
rest of ``portal.common.database``: this is for the write path, inside its transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    names: tuple[str, ...]  # the values() keys, in column order
    converters: dict[int, tuple[list[Callable], Any]]
    compiler: Any


class CompiledQuery:
    """``build(**values)`` returns a ``values()`` queryset; ``samples`` gives each parameter's
    name two different sample values of its type (never values the builder compares against
    anything else)."""

    def __init__(self, build: Callable[..., QuerySet], **samples: tuple[Any, Any]) -> None:
        self.build = build
        self.samples = samples
        self._statement: _Statement | None = None
        self._lock = threading.Lock()

    def rows(self, **values: Any) -> list[dict[str, Any]]:
        if connection.vendor != "postgresql":
            return list(self.build(**values))
        statement = self._statement or self._compile()
        params = list(statement.params)
        for position, name in statement.slots:
            params[position] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        if statement.converters:
            rows = statement.compiler.apply_converters(rows, statement.converters)
        return [dict(zip(statement.names, row, strict=True)) for row in rows]

    def first(self, **values: Any) -> dict[str, Any] | None:
        rows = self.rows(**values)
        return rows[0] if rows else None

    def _compile(self) -> _Statement:
        with self._lock:
            if self._statement is None:
                self._statement = self._statement_of()
            return self._statement

    def _statement_of(self) -> _Statement:
        first = self.build(**{name: pair[0] for name, pair in self.samples.items()})
        second = self.build(**{name: pair[1] for name, pair in self.samples.items()})
        compiler = first.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        other_sql, other_params = second.query.get_compiler(connection=connection).as_sql()
        if sql != other_sql or len(params) != len(other_params):
            raise ImproperlyConfigured("The query's SQL depends on its parameters' values.")
        slots = []
        for position, (one, two) in enumerate(zip(params, other_params, strict=True)):
            if one == two:
                continue
            named = [n for n, (a, b) in self.samples.items() if one == a and two == b]
            if len(named) != 1:
                raise ImproperlyConfigured(
                    f"Parameter {position} of the query ({one!r}) is not one of {sorted(self.samples)}."
                )
            slots.append((position, named[0]))
        missing = set(self.samples) - {name for _position, name in slots}
        if missing:
            raise ImproperlyConfigured(f"The query does not use {sorted(missing)}.")
        query = first.query
        names: tuple[str, ...] = tuple(
            query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)
        )
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if len(names) != len(fields):
            raise ImproperlyConfigured("CompiledQuery runs values() querysets only.")
        return _Statement(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            names=names,
            converters=compiler.get_converters(fields),
            compiler=compiler,
        )
