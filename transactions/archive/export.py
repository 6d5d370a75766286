"""Writing a month of reports to the archive: one Parquet file per merchant and a manifest.

Streamed: the month's reports are read in ``ARCHIVE_BATCH_ROWS`` chunks (a server-side cursor on
PostgreSQL), ordered by merchant and time, and each chunk is one row group of the merchant's file;
no more than a chunk is ever in memory. The files are written in a scratch directory beside the
month's and moved into place only once all are closed and hashed, so a month is never seen half
written; the month's record is created in the same step.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from portal.common.beijing import month_bounds
from transactions.archive import files
from transactions.archive.months import MonthError
from transactions.archive.schema import (
    DECISION_FIELDS,
    REPORT_FIELDS,
    SCHEMA,
    SCHEMA_VERSION,
    schema_description,
    to_batch,
)
from transactions.models import ArchiveFile, ArchiveMonth, Decision, Report

logger = logging.getLogger(__name__)
ID, MERCHANT, OCCURRED = (REPORT_FIELDS.index(f) for f in ("id", "merchant_id", "occurred_at"))


@dataclass
class _MerchantFile:
    merchant_id: int
    relative: str
    writer: pq.ParquetWriter
    mid: str
    rows: int = 0
    first: datetime | None = None
    last: datetime | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def month_reports(month: date) -> Any:
    """The month's reports (by when they occurred, Beijing month), in the archive's order."""
    start, end = month_bounds(month)
    return Report.objects.filter(occurred_at__gte=start, occurred_at__lt=end)


def _open(scratch: Path, month: date, merchant_id: int) -> _MerchantFile:
    relative = files.merchant_file(month, merchant_id)
    writer = pq.ParquetWriter(scratch / Path(relative).name, SCHEMA, compression="zstd")
    mid = Merchant.objects.filter(pk=merchant_id).values_list("mid", flat=True).first() or ""
    return _MerchantFile(merchant_id=merchant_id, relative=relative, writer=writer, mid=mid)


def _write(current: _MerchantFile, rows: list[tuple[Any, ...]]) -> None:
    """One chunk of one merchant's rows as one row group, with the rows' decisions."""
    ids = [row[ID] for row in rows]
    decisions: dict[int, dict[str, Any]] = {}
    rows_of = Decision.objects.filter(report_id__in=ids)
    for d in rows_of.values(*DECISION_FIELDS, shared=F("shared_checks__records")):
        shared = d.pop("shared")  # a batch's shared records go into each decision's file
        d["checks"] = d["checks"] or shared or []
        decisions[d["report_id"]] = d
    current.writer.write_batch(to_batch(rows, merchant_mid=current.mid, decisions=decisions))
    current.rows += len(rows)
    current.first = current.first or rows[0][OCCURRED]
    current.last = rows[-1][OCCURRED]


def _close(current: _MerchantFile, scratch: Path) -> dict[str, Any]:
    current.writer.close()
    path = scratch / Path(current.relative).name
    return {
        "merchant_id": current.merchant_id,
        "merchant_mid": current.mid,
        "path": current.relative,
        "rows": current.rows,
        "bytes": path.stat().st_size,
        "sha256": files.sha256_of(path),
        "min_occurred_at": current.first.isoformat() if current.first else None,
        "max_occurred_at": current.last.isoformat() if current.last else None,
    }


def _write_files(month: date, scratch: Path, batch_rows: int) -> list[dict[str, Any]]:
    """Stream the month into one file per merchant in ``scratch``; each file's facts."""
    reports = (
        month_reports(month)
        .order_by("merchant_id", "occurred_at", "id")
        .values_list(*REPORT_FIELDS)
    )
    written: list[dict[str, Any]] = []
    current: _MerchantFile | None = None
    chunk: list[tuple[Any, ...]] = []
    for row in reports.iterator(chunk_size=batch_rows):
        if current is None or row[MERCHANT] != current.merchant_id:
            if current is not None:
                if chunk:
                    _write(current, chunk)
                written.append(_close(current, scratch))
            current, chunk = _open(scratch, month, row[MERCHANT]), []
        chunk.append(row)
        if len(chunk) >= batch_rows:
            _write(current, chunk)
            chunk = []
    if current is not None:
        if chunk:
            _write(current, chunk)
        written.append(_close(current, scratch))
    return written


def _manifest(
    month: date, written: list[dict[str, Any]], actor: Any, now: datetime
) -> dict[str, Any]:
    firsts = [f["min_occurred_at"] for f in written]
    lasts = [f["max_occurred_at"] for f in written]
    return {
        "month": f"{month:%Y-%m}",
        "time_zone": "Asia/Shanghai",
        "selected_by": "occurred_at in the Beijing month",
        "schema_version": SCHEMA_VERSION,
        "columns": schema_description(),
        "row_count": sum(f["rows"] for f in written),
        # Every file's facts are in UTC; the minimum of ISO texts of one offset is the earliest.
        "min_occurred_at": min(firsts),
        "max_occurred_at": max(lasts),
        "files": written,
        "created_by": getattr(actor, "username", None) or "system",
        "created_at": now.isoformat(),
    }


def archive_month_export(
    *, month: date, actor: Any = None, batch_rows: int | None = None
) -> ArchiveMonth:
    """Write ``month``'s reports to the archive and record the month as exported.

    Refuses (``MonthError``) a month already archived and a month without reports. The hot
    table is not touched: verification and the purge come after (``archive_month_run``).
    """
    if ArchiveMonth.objects.filter(month=month).exists():
        raise MonthError(_("%(month)s is already archived.") % {"month": f"{month:%Y-%m}"})
    if not month_reports(month).exists():
        raise MonthError(_("%(month)s has no reports to archive.") % {"month": f"{month:%Y-%m}"})
    final = files.absolute(files.month_directory(month))
    if final.exists():
        raise MonthError(
            _("%(path)s already exists; move it away before archiving the month again.")
            % {"path": final}
        )
    scratch = final.parent / f".{final.name}.partial-{uuid.uuid4().hex}"
    scratch.mkdir(parents=True)
    now = timezone.now()
    try:
        written = _write_files(month, scratch, batch_rows or settings.ARCHIVE_BATCH_ROWS)
        manifest = _manifest(month, written, actor, now)
        manifest_path = scratch / files.MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        manifest_sha = files.sha256_of(manifest_path)
        with transaction.atomic():
            archive_month = ArchiveMonth.objects.create(
                month=month,
                directory=files.month_directory(month),
                schema_version=SCHEMA_VERSION,
                row_count=manifest["row_count"],
                manifest_sha256=manifest_sha,
                created_by=actor,
            )
            ArchiveFile.objects.bulk_create(
                ArchiveFile(
                    archive_month=archive_month,
                    merchant_id=f["merchant_id"],
                    path=f["path"],
                    sha256=f["sha256"],
                    row_count=f["rows"],
                    size_bytes=f["bytes"],
                    min_occurred_at=datetime.fromisoformat(f["min_occurred_at"]),
                    max_occurred_at=datetime.fromisoformat(f["max_occurred_at"]),
                )
                for f in written
            )
            scratch.rename(final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    logger.info(
        "Archived %s: %d rows in %d files", f"{month:%Y-%m}", manifest["row_count"], len(written)
    )
    return archive_month
