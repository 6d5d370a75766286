"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from .audit.runner import audit_run_part, audit_start
from .services.uploads import upload_process


@shared_task(acks_late=True)
def process_upload(upload_id: int) -> dict[str, int]:
    upload = upload_process(upload_id=upload_id)
    return {
        "accepted": upload.accepted,
        "duplicates": upload.duplicates,
        "rejected": upload.rejected,
    }


@shared_task
def run_audit(trigger: str = "beat") -> int:
    """Start an incremental audit and fan its parts out to the workers."""
    run = audit_start(trigger=trigger)
    for part_id in run.parts.values_list("id", flat=True):
        audit_part.delay(part_id)
    return run.pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def audit_part(part_id: int) -> None:
    # acks_late: a worker killed mid-part leaves the message queued; the part is idempotent.
    audit_run_part(part_id=part_id)
