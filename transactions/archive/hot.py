"""Removing an archived month's reports from the hot table, and which reports stay.

Only rows that are in the month's verified files leave (their ids are read back from the files),
a chunk at a time. A report stays hot while anything refers to it (see ``docs/archive.md``):
alerts, holds (released ones too: the hold's record names it), complaints and amendments keep it,
since their pages and workflows read it and they are records to keep themselves; so does a legal
hold on its merchant. Its real-time decision is deleted with it (the archive row carries it as
JSON); reconciliation differences keep their own copy (TID, RRN, amounts) and lose the link;
settlement line outcomes keep the report's id, which the archive's ``id`` column resolves.
"""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from portal.common.beijing import month_bounds
from transactions.archive import files
from transactions.archive.holds import held_merchant_ids
from transactions.archive.workflow import ARCHIVE_MONTH_WORKFLOW
from transactions.models import (
    AlertReport,
    ArchiveMonth,
    Complaint,
    Decision,
    Hold,
    ReconciliationItem,
    Report,
    ReportAmendment,
)

CHUNK = 5000


def referenced_q() -> Q:
    """Reports that an alert, a hold, a complaint or an amendment refers to."""
    return (
        Q(Exists(AlertReport.objects.filter(report_id=OuterRef("pk"))))
        | Q(Exists(Hold.objects.filter(report_id=OuterRef("pk"))))
        | Q(Exists(Complaint.objects.filter(report_id=OuterRef("pk"))))
        | Q(Exists(ReportAmendment.objects.filter(report_id=OuterRef("pk"))))
    )


def reports_delete(report_ids: list[int]) -> int:
    """Delete these reports and their decisions; unlink reconciliation differences."""
    with transaction.atomic():
        Decision.objects.filter(report_id__in=report_ids).delete()
        ReconciliationItem.objects.filter(report_id__in=report_ids).update(report=None)
        deleted, _by_model = Report.objects.filter(pk__in=report_ids).delete()
    return deleted


def _purge_file(archive_month: ArchiveMonth, path: str, merchant_id: int) -> tuple[int, int]:
    start, end = month_bounds(archive_month.month)
    purged = kept = 0
    parquet = pq.ParquetFile(files.absolute(path))
    for batch in parquet.iter_batches(columns=["id"], batch_size=CHUNK):
        ids = batch.column("id").to_pylist()
        hot = Report.objects.filter(
            pk__in=ids, merchant_id=merchant_id, occurred_at__gte=start, occurred_at__lt=end
        )
        removable = list(hot.exclude(referenced_q()).values_list("pk", flat=True))
        if removable:
            reports_delete(removable)
            purged += len(removable)
        kept += hot.count()
    return purged, kept


def archive_month_purge_hot(*, archive_month: ArchiveMonth, actor: Any = None) -> ArchiveMonth:
    """Remove a verified month's archived reports from the hot table (those nothing refers to)."""
    held = held_merchant_ids()
    purged = kept = 0
    for archive_file in archive_month.files.filter(deleted_at__isnull=True):
        if archive_file.merchant_id in held:
            start, end = month_bounds(archive_month.month)
            kept += Report.objects.filter(
                merchant_id=archive_file.merchant_id, occurred_at__gte=start, occurred_at__lt=end
            ).count()
            continue
        file_purged, file_kept = _purge_file(
            archive_month, archive_file.path, archive_file.merchant_id
        )
        purged += file_purged
        kept += file_kept
    ARCHIVE_MONTH_WORKFLOW.move(
        archive_month,
        "purge",
        actor=actor,
        reason=f"{purged} rows removed, {kept} kept",
        purged_rows=purged,
        kept_hot=kept,
        purged_at=timezone.now(),
    )
    return archive_month
