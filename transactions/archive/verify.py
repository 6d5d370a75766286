"""Checking the archive: every file's SHA-256 and row count, read back.

Run right after a month is written (before any report leaves the hot table), before every read,
before a deletion, and weekly by beat over every month. A file that is missing, whose checksum
differs or whose rows cannot all be read makes its month damaged: the compliance leads are told
(``mail.py``), the month's reports stay where they are, and no deletion touches it until its
files check out again (restored from a backup copy, then verified).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pyarrow.parquet as pq
from django.utils import timezone
from django.utils.translation import gettext as _

from transactions.archive import files
from transactions.archive.mail import archive_damaged
from transactions.archive.workflow import ARCHIVE_MONTH_WORKFLOW
from transactions.models import ArchiveFile, ArchiveMonth, ArchiveStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _rows_readable(path: str) -> int:
    """How many rows the file gives back, reading every row group's ids."""
    parquet = pq.ParquetFile(files.absolute(path))
    return sum(batch.num_rows for batch in parquet.iter_batches(columns=["id"], batch_size=65536))


def file_problem(archive_file: ArchiveFile) -> Problem | None:
    """What is wrong with the file (missing, another checksum, rows missing), or None."""
    path = files.absolute(archive_file.path)
    if not path.is_file():
        return Problem(archive_file.path, _("the file is missing"))
    digest = files.sha256_of(path)
    if digest != archive_file.sha256:
        return Problem(
            archive_file.path,
            _("SHA-256 is %(found)s, %(expected)s was recorded")
            % {"found": digest, "expected": archive_file.sha256},
        )
    try:
        rows = _rows_readable(archive_file.path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        return Problem(archive_file.path, _("the file cannot be read: %(error)s") % {"error": exc})
    if rows != archive_file.row_count:
        return Problem(
            archive_file.path,
            _("%(found)d rows read back, %(expected)d written")
            % {"found": rows, "expected": archive_file.row_count},
        )
    return None


def _manifest_problem(archive_month: ArchiveMonth) -> Problem | None:
    relative = f"{archive_month.directory}/{files.MANIFEST}"
    path = files.absolute(relative)
    if not path.is_file():
        return Problem(relative, _("the file is missing"))
    if files.sha256_of(path) != archive_month.manifest_sha256:
        return Problem(relative, _("the checksum differs from the one recorded"))
    return None


def archive_month_mark_damaged(
    *, archive_month: ArchiveMonth, problems: list[Problem], damaged_files: list[ArchiveFile]
) -> None:
    """Record the damage (month and files), and tell the compliance leads, once per finding."""
    now = timezone.now()
    ArchiveFile.objects.filter(pk__in=[f.pk for f in damaged_files]).update(damaged_at=now)
    reason = "; ".join(str(p) for p in problems)[:2000]
    moved = ARCHIVE_MONTH_WORKFLOW.move(archive_month, "damage", reason=reason, damaged_at=now)
    logger.error("Archive %s damaged: %s", archive_month, reason)
    if moved:
        archive_damaged(archive_month=archive_month, problems=[str(p) for p in problems])


def archive_month_verify(
    *, archive_month: ArchiveMonth, files_only: list[ArchiveFile] | None = None
) -> list[Problem]:
    """Check the month's files (or ``files_only``); record the outcome; the problems found.

    All well: an exported month becomes verified and a damaged one returns to where it was.
    Otherwise the month is marked damaged (see the module's docstring).
    """
    candidates = (
        files_only
        if files_only is not None
        else list(archive_month.files.filter(deleted_at__isnull=True))
    )
    problems: list[Problem] = []
    damaged: list[ArchiveFile] = []
    for archive_file in candidates:
        problem = file_problem(archive_file)
        if problem is not None:
            problems.append(problem)
            damaged.append(archive_file)
    if files_only is None and archive_month.status != ArchiveStatus.DELETED:
        manifest = _manifest_problem(archive_month)
        if manifest is not None:
            problems.append(manifest)
    if problems:
        archive_month_mark_damaged(
            archive_month=archive_month, problems=problems, damaged_files=damaged
        )
        return problems
    now = timezone.now()
    if files_only is None:
        archive_month.files.filter(damaged_at__isnull=False).update(damaged_at=None)
    if archive_month.status == ArchiveStatus.EXPORTED:
        ARCHIVE_MONTH_WORKFLOW.move(
            archive_month, "verify", reason="checksums and row counts", verified_at=now
        )
    elif archive_month.status == ArchiveStatus.DAMAGED and files_only is None:
        step = "restore_purged" if archive_month.purged_at else "restore_verified"
        ARCHIVE_MONTH_WORKFLOW.move(
            archive_month, step, reason="checks out again", verified_at=now, damaged_at=None
        )
    else:
        ArchiveMonth.objects.filter(pk=archive_month.pk).update(verified_at=now)
    return problems


def archive_verify_all() -> dict[str, int]:
    """Beat: verify every month still on disk; how many were checked and found damaged."""
    checked = damaged = 0
    for archive_month in ArchiveMonth.objects.exclude(status=ArchiveStatus.DELETED):
        checked += 1
        if archive_month_verify(archive_month=archive_month):
            damaged += 1
    return {"checked": checked, "damaged": damaged}
