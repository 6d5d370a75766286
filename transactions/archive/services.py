"""Archiving months: write, verify, and only then remove the reports from the hot table."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.db.models import Min
from django.utils import timezone

from portal.common.beijing import SHANGHAI, add_months
from transactions.archive.export import archive_month_export, month_reports
from transactions.archive.hot import archive_month_purge_hot
from transactions.archive.months import last_due_month
from transactions.archive.verify import Problem, archive_month_verify
from transactions.models import ArchiveMonth, ArchiveStatus, Report

logger = logging.getLogger(__name__)


def archive_month_run(
    *, month: date, actor: Any = None, batch_rows: int | None = None
) -> tuple[ArchiveMonth, list[Problem]]:
    """Archive ``month`` (already checked by ``archivable_month``) as far as it can go.

    A month not archived yet is written; an exported one is verified (read back: row counts and
    checksums); a verified one leaves the hot table. A month that fails verification is marked
    damaged and its reports stay in the hot table. Returns the month and the problems found.
    """
    archive_month = ArchiveMonth.objects.filter(month=month).first()
    if archive_month is None:
        archive_month = archive_month_export(month=month, actor=actor, batch_rows=batch_rows)
    problems: list[Problem] = []
    if archive_month.status == ArchiveStatus.EXPORTED:
        problems = archive_month_verify(archive_month=archive_month)
        archive_month.refresh_from_db()
    if archive_month.status == ArchiveStatus.VERIFIED and archive_month.purged_at is None:
        archive_month_purge_hot(archive_month=archive_month, actor=actor)
        archive_month.refresh_from_db()
    return archive_month, problems


def months_due(now: datetime | None = None) -> list[date]:
    """Months older than the hot window that still have to be archived or finished, oldest first.

    From the oldest report's month (one MIN over the table; the monthly job reads it once) to the
    newest month past the hot window, without the months already purged, damaged or deleted.
    """
    last = last_due_month(now or timezone.now())
    oldest = Report.objects.aggregate(first=Min("occurred_at"))["first"]
    months: list[date] = []
    if oldest is not None:
        month = oldest.astimezone(SHANGHAI).date().replace(day=1)
        while month <= last:
            months.append(month)
            month = add_months(month, 1)
    finished = set(
        ArchiveMonth.objects.filter(
            status__in=[ArchiveStatus.PURGED, ArchiveStatus.DAMAGED, ArchiveStatus.DELETED]
        ).values_list("month", flat=True)
    )
    unfinished = set(
        ArchiveMonth.objects.filter(
            status__in=[ArchiveStatus.EXPORTED, ArchiveStatus.VERIFIED], month__lte=last
        ).values_list("month", flat=True)
    )
    return sorted((set(months) | unfinished) - finished)


def archive_due(*, actor: Any = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """Beat (monthly) and ``archive_reports --due``: archive every month due; what each became."""
    results: list[dict[str, Any]] = []
    for month in months_due(now):
        archived = ArchiveMonth.objects.filter(month=month).exists()
        if not archived and not month_reports(month).exists():
            continue
        archive_month, problems = archive_month_run(month=month, actor=actor)
        results.append(
            {
                "month": f"{month:%Y-%m}",
                "status": archive_month.status,
                "rows": archive_month.row_count,
                "purged": archive_month.purged_rows,
                "kept_hot": archive_month.kept_hot,
                "problems": [str(p) for p in problems],
            }
        )
    return results
