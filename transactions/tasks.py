"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from .services.uploads import upload_process


@shared_task(acks_late=True)
def process_upload(upload_id: int) -> dict[str, int]:
    upload = upload_process(upload_id=upload_id)
    return {
        "accepted": upload.accepted,
        "duplicates": upload.duplicates,
        "rejected": upload.rejected,
    }
