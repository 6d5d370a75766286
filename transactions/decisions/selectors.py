"""Reads of decisions: the one a terminal was given for a report, whether it is still held, and
how often Redis could not be reached."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from transactions.models import Decision, Hold, Report, StateSource


def decisions_of(*, terminal_id: int, report_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Decision]:
    """The decisions given to these reports of the terminal (reports stored before screening
    existed have none)."""
    rows = Decision.objects.filter(
        report__terminal_id=terminal_id, report__report_id__in=report_ids
    ).select_related("report")
    return {row.report.report_id: row for row in rows}


def report_held(*, report: Report) -> bool:
    """Whether the report is held now, by a hold on it or on its terminal."""
    return Hold.objects.active().on_report(report).exists()


def decision_of(*, report: Report) -> Decision | None:
    """The decision given to the report (none for reports stored before screening, or entered by
    hand or from a file)."""
    return Decision.objects.filter(report=report).select_related("alert").first()


@dataclass(frozen=True)
class FallbackCounts:
    """Decisions whose recent state was read from the database because Redis could not be
    reached (``state_source="fallback"``)."""

    last_day: int
    total: int


def fallback_counts(*, now: datetime | None = None) -> FallbackCounts:
    """Fallback decisions in the 24 hours before ``now`` and in all, in one query."""
    since = (now or timezone.now()) - timedelta(hours=24)
    counts = Decision.objects.filter(state_source=StateSource.FALLBACK).aggregate(
        last_day=Count("pk", filter=Q(created_at__gte=since)), total=Count("pk")
    )
    return FallbackCounts(**counts)
