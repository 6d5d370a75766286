"""Deleting expired data: proposed as a job, approved by a second person, carried out and logged.

Nothing is deleted silently. ``deletion_job_propose`` lists what would go: the archived months
whose retention (RETENTION_YEARS after the month ended) is over, their files (path, merchant,
rows, SHA-256) and the hot rows left of them, and what is kept and why (a legal hold, a damaged
or unverified month, a report something refers to). A compliance lead other than the proposer
approves it (``workflow.py``); a worker then deletes, checking the holds and every file's
checksum again first, and logs each file deleted with its checksum, the rows, when and who
approved. A damaged file is never deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.common.queue import enqueue_on_commit
from transactions.archive import files
from transactions.archive.export import month_reports
from transactions.archive.holds import case_held_months, held_merchant_ids, holds_in_force
from transactions.archive.hot import CHUNK, referenced_q, reports_delete
from transactions.archive.months import month_expired
from transactions.archive.verify import archive_month_mark_damaged, file_problem
from transactions.archive.workflow import ARCHIVE_MONTH_WORKFLOW, DELETION_JOB_WORKFLOW
from transactions.models import (
    ArchiveFile,
    ArchiveMonth,
    ArchiveStatus,
    DeletionJob,
    DeletionStatus,
)

logger = logging.getLogger(__name__)


def _hot_leftovers(archive_month: ArchiveMonth, keep_merchants: set[int]) -> Any:
    """The month's reports still hot that may go: nothing refers to them, no hold keeps them."""
    return (
        month_reports(archive_month.month)
        .exclude(merchant_id__in=keep_merchants)
        .exclude(referenced_q())
    )


def _month_plan(
    archive_month: ArchiveMonth, held: set[int], case_held: set[tuple[int, Any]]
) -> dict[str, Any]:
    """What of one expired month would be deleted, and what is kept and why."""
    delete: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for f in archive_month.files.filter(deleted_at__isnull=True).order_by("merchant_id"):
        facts = {
            "path": f.path,
            "merchant_id": f.merchant_id,
            "rows": f.row_count,
            "sha256": f.sha256,
        }
        if f.merchant_id in held:
            kept.append({**facts, "why": "legal hold on the merchant"})
        elif (f.merchant_id, archive_month.month) in case_held:
            kept.append({**facts, "why": "legal hold on a case"})
        elif f.damaged_at is not None:
            kept.append({**facts, "why": "damaged"})
        else:
            delete.append(facts)
    hot_rows = _hot_leftovers(archive_month, held | {m for m, _month in case_held}).count()
    return {
        "month": f"{archive_month.month:%Y-%m}",
        "archive_month_id": archive_month.pk,
        "files": delete,
        "kept": kept,
        "hot_rows": hot_rows,
        "hot_rows_kept": month_reports(archive_month.month).count() - hot_rows,
    }


def deletion_job_propose(*, actor: Any = None, now: datetime | None = None) -> DeletionJob | None:
    """Propose deleting what has expired; None when nothing has. An open job is returned as is
    (one proposal at a time: two would list the same files)."""
    now = now or timezone.now()
    open_job = DeletionJob.objects.filter(
        status__in=[DeletionStatus.PROPOSED, DeletionStatus.APPROVED]
    ).first()
    if open_job is not None:
        return open_job
    held, case_held = held_merchant_ids(now), case_held_months(now)
    months, blocked = [], []
    for archive_month in ArchiveMonth.objects.exclude(status=ArchiveStatus.DELETED).order_by(
        "month"
    ):
        if not month_expired(archive_month.month, now):
            continue
        if archive_month.status not in (ArchiveStatus.VERIFIED, ArchiveStatus.PURGED):
            blocked.append({"month": f"{archive_month.month:%Y-%m}", "why": archive_month.status})
            continue
        months.append(_month_plan(archive_month, held, case_held))
    file_count = sum(len(m["files"]) for m in months)
    hot_rows = sum(m["hot_rows"] for m in months)
    if not file_count and not hot_rows:
        logger.info("Retention: nothing expired to delete (%d months blocked)", len(blocked))
        return None
    return DeletionJob.objects.create(
        retention_years=settings.RETENTION_YEARS,
        plan={
            "proposed_at": now.isoformat(),
            "months": months,
            "blocked_months": blocked,
            "holds_considered": holds_in_force(now),
        },
        file_count=file_count,
        row_count=sum(f["rows"] for m in months for f in m["files"]),
        hot_row_count=hot_rows,
        proposed_by=actor,
    )


def deletion_job_approve(*, job: DeletionJob, actor: Any) -> DeletionJob:
    """A lead other than the proposer approves; the deletion is queued once this commits."""
    with transaction.atomic():
        job = DELETION_JOB_WORKFLOW.step(
            job,
            "approve",
            actor=actor,
            prepare=lambda obj, _t: _decided(obj, actor),
        )
        enqueue_on_commit("transactions.tasks.archive_run_deletion", job.pk)
    return job


def deletion_job_reject(*, job: DeletionJob, actor: Any, reason: str) -> DeletionJob:
    return DELETION_JOB_WORKFLOW.step(
        job, "reject", actor=actor, reason=reason, prepare=lambda obj, _t: _decided(obj, actor)
    )


def _decided(job: DeletionJob, actor: Any) -> None:
    job.decided_by = actor
    job.decided_at = timezone.now()


def _delete_file(archive_file: ArchiveFile, log: dict[str, Any]) -> bool:
    """Delete one file after checking it again; a damaged one is kept and reported."""
    problem = file_problem(archive_file)
    if problem is not None:
        archive_month_mark_damaged(
            archive_month=archive_file.archive_month,
            problems=[problem],
            damaged_files=[archive_file],
        )
        log["skipped"].append({"path": archive_file.path, "why": f"damaged: {problem.message}"})
        return False
    files.absolute(archive_file.path).unlink()
    now = timezone.now()
    ArchiveFile.objects.filter(pk=archive_file.pk).update(deleted_at=now)
    log["files"].append(
        {
            "path": archive_file.path,
            "merchant_id": archive_file.merchant_id,
            "rows": archive_file.row_count,
            "sha256": archive_file.sha256,
            "deleted_at": now.isoformat(),
        }
    )
    return True


def _finish_month(archive_month: ArchiveMonth, log: dict[str, Any]) -> None:
    """When none of its files is left, the month's manifest goes too and the month is deleted."""
    if archive_month.files.filter(deleted_at__isnull=True).exists():
        return
    manifest = files.absolute(f"{archive_month.directory}/{files.MANIFEST}")
    if manifest.is_file():
        log["files"].append(
            {"path": str(manifest.relative_to(files.root())), "sha256": files.sha256_of(manifest)}
        )
        manifest.unlink()
    directory = files.absolute(archive_month.directory)
    if directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
    ARCHIVE_MONTH_WORKFLOW.move(
        archive_month, "delete", reason="retention ended", deleted_at=timezone.now()
    )


def _delete_month(
    entry: dict[str, Any], held: set[int], case_held: set[Any], log: dict[str, Any]
) -> None:
    archive_month = ArchiveMonth.objects.get(pk=entry["archive_month_id"])
    if archive_month.status not in (ArchiveStatus.VERIFIED, ArchiveStatus.PURGED):
        log["skipped"].append({"month": entry["month"], "why": archive_month.status})
        return
    paths = [f["path"] for f in entry["files"]]
    for archive_file in archive_month.files.filter(path__in=paths, deleted_at__isnull=True):
        if archive_file.merchant_id in held:
            log["skipped"].append({"path": archive_file.path, "why": "legal hold on the merchant"})
        elif (archive_file.merchant_id, archive_month.month) in case_held:
            log["skipped"].append({"path": archive_file.path, "why": "legal hold on a case"})
        else:
            _delete_file(archive_file, log)
    keep = held | {merchant for merchant, _month in case_held}
    hot_ids = list(
        _hot_leftovers(archive_month, keep).values_list("pk", flat=True)[: entry["hot_rows"]]
    )
    for i in range(0, len(hot_ids), CHUNK):
        log["hot_rows"] += len(hot_ids[i : i + CHUNK])
        reports_delete(hot_ids[i : i + CHUNK])
    archive_month.refresh_from_db()
    _finish_month(archive_month, log)


def deletion_job_run(*, job_id: int) -> DeletionJob:
    """The worker's part: delete what an approved job listed, as the holds and files allow now."""
    job = DeletionJob.objects.select_related("decided_by").get(pk=job_id)
    if job.status != DeletionStatus.APPROVED:
        return job
    now = timezone.now()
    held, case_held = held_merchant_ids(now), case_held_months(now)
    log: dict[str, Any] = {
        "started_at": now.isoformat(),
        "approved_by": job.decided_by.get_username() if job.decided_by else None,
        "approved_at": job.decided_at.isoformat() if job.decided_at else None,
        "files": [],
        "skipped": [],
        "hot_rows": 0,
    }
    try:
        for entry in job.plan.get("months", []):
            _delete_month(entry, held, case_held, log)
    except Exception as exc:
        log["error"] = repr(exc)
        DELETION_JOB_WORKFLOW.move(
            job, "fail", reason=str(exc)[:500], log=log, error=repr(exc), finished_at=timezone.now()
        )
        logger.exception("Deletion job %s failed", job.pk)
        raise
    log["finished_at"] = timezone.now().isoformat()
    DELETION_JOB_WORKFLOW.move(
        job,
        "finish",
        reason=_("%(files)d files and %(rows)d hot rows deleted")
        % {"files": len([f for f in log["files"] if "rows" in f]), "rows": log["hot_rows"]},
        log=log,
        finished_at=timezone.now(),
    )
    logger.info("Deletion job %s done: %s", job.pk, log)
    return job
