"""Querysets compiled once (portal/common/compiled.py): the same rows as the queryset, compiled
once on PostgreSQL, built each time elsewhere, and a builder that hides a value refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from merchants.models import Terminal
from portal.common.compiled import CompiledQuery
from tests.factories import TerminalFactory

pytestmark = pytest.mark.django_db

SAMPLE_TIMES = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 1, 2, tzinfo=UTC))


class Counting:
    """A builder that counts how often it is called."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, terminal_id: int, seen_after: datetime) -> QuerySet[Terminal, Any]:
        self.calls += 1
        return (
            Terminal.objects.filter(pk=terminal_id, created_at__gt=seen_after)
            .order_by()
            .values("serial_number", "latitude", "merchant__mcc")
        )


def test_rows_are_the_querysets_rows_for_each_new_value():
    build = Counting()
    query = CompiledQuery(build, terminal_id=(-1, -2), seen_after=SAMPLE_TIMES)
    one = TerminalFactory(latitude=Decimal("31.200000"))
    two = TerminalFactory()
    long_ago = timezone.now() - timedelta(days=1)
    for terminal in (one, two, one):
        expected = list(build(terminal.pk, long_ago))
        assert query.rows(terminal_id=terminal.pk, seen_after=long_ago) == expected
        assert query.first(terminal_id=terminal.pk, seen_after=long_ago) == expected[0]
    assert query.first(terminal_id=one.pk, seen_after=timezone.now()) is None
    assert query.first(terminal_id=-5, seen_after=long_ago) is None
    assert query.first(terminal_id=one.pk, seen_after=long_ago) == {
        "serial_number": one.serial_number,
        "latitude": Decimal("31.200000"),
        "merchant__mcc": one.merchant.mcc,
    }


def test_compiled_once_on_postgresql_built_each_time_elsewhere():
    build = Counting()
    query = CompiledQuery(build, terminal_id=(-1, -2), seen_after=SAMPLE_TIMES)
    terminal = TerminalFactory()
    for _ in range(5):
        query.rows(terminal_id=terminal.pk, seen_after=SAMPLE_TIMES[0])
    assert build.calls == (2 if connection.vendor == "postgresql" else 5)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="compiled on PostgreSQL only"
)


@postgresql_only
def test_a_value_the_builder_reads_itself_is_refused():
    def build(terminal_id: int) -> QuerySet[Terminal, Any]:
        # "now" read inside: two builds differ where no parameter says so.
        return Terminal.objects.filter(pk=terminal_id, created_at__lt=datetime.now(tz=UTC)).values(
            "tid"
        )

    with pytest.raises(ImproperlyConfigured, match="is not one of"):
        CompiledQuery(build, terminal_id=(-1, -2)).rows(terminal_id=1)


@postgresql_only
def test_a_parameter_the_query_does_not_use_is_refused():
    def build(terminal_id: int, unused: int) -> QuerySet[Terminal, Any]:
        return Terminal.objects.filter(pk=terminal_id).values("tid")

    with pytest.raises(ImproperlyConfigured, match="does not use"):
        CompiledQuery(build, terminal_id=(-1, -2), unused=(1, 2)).rows(terminal_id=1, unused=3)


@postgresql_only
def test_sql_that_depends_on_the_values_is_refused():
    def build(terminal_ids: list[int]) -> QuerySet[Terminal, Any]:
        return Terminal.objects.filter(pk__in=terminal_ids).values("tid")

    with pytest.raises(ImproperlyConfigured, match="depends on"):
        CompiledQuery(build, terminal_ids=([1], [1, 2])).rows(terminal_ids=[3])


@postgresql_only
def test_model_instances_are_refused():
    def build(terminal_id: int) -> QuerySet[Terminal, Any]:
        return Terminal.objects.filter(pk=terminal_id)

    with pytest.raises(ImproperlyConfigured, match="values"):
        CompiledQuery(build, terminal_id=(-1, -2)).rows(terminal_id=1)
