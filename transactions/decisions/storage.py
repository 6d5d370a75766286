"""Writing the decisions: on PostgreSQL those alike in one statement, the others by COPY; a bulk
insert elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from portal.common.database import copy_json, copy_rows, has_copy, insert_row
from transactions.decisions.base import Decided
from transactions.models import CheckRecords, Decision

DECISION_COLUMNS = (
    "decision_id",
    "report_id",
    "merchant_id",
    "terminal_id",
    "outcome",
    "reasons",
    "checks",
    "state_source",
    "duration_us",
    "alert_id",
    "created_at",
)
FIELDS = DECISION_COLUMNS[:-1]
ALIKE_COLUMNS = (*DECISION_COLUMNS, "shared_checks_id")


def decisions_insert(decisions: list[Decided]) -> None:
    """On PostgreSQL: decisions alike but for their ids and reports (a batch's accepted ones,
    which share their records) with one ``INSERT … SELECT`` over two arrays, their records
    written once (``CheckRecords``); the others by COPY (a multi-row INSERT escapes a kB of JSON
    element by element: a 250-report batch took 0.45 s). One decision goes in with an INSERT.
    Elsewhere every decision keeps its own records."""
    if not has_copy():
        Decision.objects.bulk_create(
            [Decision(**{name: getattr(d, name) for name in FIELDS}) for d in decisions]
        )
        return
    now = timezone.now()
    if len(decisions) == 1:  # a single report's decision
        insert_row(Decision._meta.db_table, DECISION_COLUMNS, _row(decisions[0], now))
        return
    alike: dict[tuple[Any, ...], list[Decided]] = {}
    for d in decisions:
        # Reasons are empty or a decision's own; the records' list is shared or its own.
        reasons = id(d.reasons) if d.reasons else 0
        key = (reasons, id(d.checks), d.outcome, d.state_source, d.duration_us, d.alert_id)
        alike.setdefault((*key, d.merchant_id, d.terminal_id), []).append(d)
    apart = [d for group in alike.values() if len(group) == 1 for d in group]
    for group in alike.values():
        if len(group) > 1:
            _insert_alike(group, now)
    if apart:
        copy_rows(Decision._meta.db_table, DECISION_COLUMNS, (_row(d, now) for d in apart))


def _row(d: Decided, now: datetime) -> tuple:
    return (
        d.decision_id,
        d.report_id,
        d.merchant_id,
        d.terminal_id,
        d.outcome,
        copy_json(d.reasons),
        copy_json(d.checks),
        d.state_source,
        d.duration_us,
        d.alert_id,
        now,
    )


_ALIKE = f"""
    INSERT INTO {Decision._meta.db_table} ({", ".join(ALIKE_COLUMNS)})
    SELECT d, r, %s, %s, %s, %s::jsonb, '[]'::jsonb, %s, %s, %s, %s, %s
    FROM unnest(%s::uuid[], %s::bigint[]) AS u(d, r)
"""  # noqa: S608 (the table and column names are the model's own; every value is a parameter)


def _insert_alike(group: list[Decided], now: datetime) -> None:
    first = group[0]
    shared = CheckRecords.objects.create(records=first.checks)
    values = (first.merchant_id, first.terminal_id, first.outcome, copy_json(first.reasons))
    values += (first.state_source, first.duration_us, first.alert_id, now, shared.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            _ALIKE, [*values, [d.decision_id for d in group], [d.report_id for d in group]]
        )
