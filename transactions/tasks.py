"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from transactions.audit.runner import (
    audit_failed,
    audit_in_flight,
    audit_run_part,
    audit_stalled_parts,
    audit_start,
)
from transactions.ingest.uploads import upload_process, uploads_stalled
from transactions.models import AuditRunPart
from transactions.partitions.services import partitions_ensure
from transactions.reconciliation.services import settlement_file_process, settlement_files_stalled
from transactions.reports.background import report_export_build, report_exports_expire

SCHEDULED = "beat"


@shared_task(acks_late=True)
def process_upload(upload_id: int) -> dict[str, int]:
    upload = upload_process(upload_id=upload_id)
    return {
        "accepted": upload.accepted,
        "duplicates": upload.duplicates,
        "rejected": upload.rejected,
    }


@shared_task
def create_report_partitions() -> list[str]:
    """Beat: this month's report partition and REPORT_PARTITIONS_AHEAD more (PostgreSQL)."""
    return [event.table for event in partitions_ensure(actor=SCHEDULED)]


@shared_task
def requeue_stalled_uploads() -> list[int]:
    """Beat: send again the uploads whose message the broker lost (see ``uploads_stalled``)."""
    upload_ids = uploads_stalled()
    for upload_id in upload_ids:
        process_upload.delay(upload_id)
    return upload_ids


@shared_task
def run_audit(trigger: str = SCHEDULED) -> int:
    """Recover stalled runs, then start an incremental audit and fan its parts out.

    A worker that dies between starting a run and sending its parts leaves the run "running" with
    nothing queued; its parts are sent again here once it is stale. Beat starts no new run while
    one is in flight (runs would pile up over the same window); staff and operators asking for a
    run get one.
    """
    for part_id in audit_stalled_parts():
        audit_part.delay(part_id)
    if trigger == SCHEDULED and (busy := audit_in_flight()) is not None:
        return busy.pk
    run = audit_start(trigger=trigger)
    for part_id in run.parts.values_list("id", flat=True):
        audit_part.delay(part_id)
    return run.pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def audit_part(part_id: int) -> None:
    # acks_late: a worker killed mid-part leaves the message queued; the part is idempotent.
    try:
        audit_run_part(part_id=part_id)
    except Exception as exc:
        # A part that raises is not retried: the run is failed, and the next run (which starts
        # where the last finished one ended) audits its window again.
        run_id = AuditRunPart.objects.filter(pk=part_id).values_list("run_id", flat=True).first()
        if run_id is not None:
            audit_failed(run_id=run_id, error=exc)
        raise


@shared_task
def flag_overdue_complaints() -> int:
    """Beat: flag complaints past their deadline and notify, once each (see the service)."""
    from transactions.complaints.services import complaints_flag_overdue

    return complaints_flag_overdue()


@shared_task
def alert_overdue_inspections() -> int:
    """Beat (daily): an alert per overdue inspection, and its inspector told, once each."""
    from transactions.alerts.inspections import inspection_alerts

    return inspection_alerts()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_settlement_file(file_id: int) -> int | None:
    """Import an uploaded settlement file and reconcile it; returns the run's id.

    acks_late: a worker killed mid-file leaves the message queued, and the import, found
    unfinished, starts again from nothing (see ``settlement_file_import``).
    """
    run = settlement_file_process(file_id=file_id, trigger="upload")
    return run.pk if run else None


@shared_task
def reconcile_pending_files() -> list[int]:
    """Beat: send again the settlement files that a lost task left unfinished."""
    file_ids = settlement_files_stalled()
    for file_id in file_ids:
        import_settlement_file.delay(file_id)
    return file_ids


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_reports(export_id: int) -> int:
    """Build a background Excel export; returns the rows written. A lost worker's export is
    built again from the start when the message comes back."""
    return report_export_build(export_id=export_id).written_rows


@shared_task
def expire_report_exports() -> int:
    """Beat: delete the files of background exports past their download time."""
    return report_exports_expire()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_regulator_report(report_id: int) -> str:
    """Build a regulator report (figures and files); returns its status. A lost worker's report
    is built again from the start when the message comes back."""
    from transactions.exchange.regulator.services import regulator_report_build

    return regulator_report_build(report_id=report_id).status


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(delivery_id: int, manual: bool = False) -> str | None:
    """Send one webhook delivery (at least once: a lost worker's delivery is swept up again)."""
    from transactions.exchange.webhooks.delivery import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id, manual=manual)


@shared_task
def dispatch_webhooks() -> int:
    """Beat, every minute: queue the retries that are due and the deliveries a lost worker held."""
    from transactions.exchange.webhooks.delivery import deliveries_due

    due = deliveries_due()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_backtest(backtest_id: int) -> str:
    """Run a rule backtest (queued by ``transactions.rules.backtest.backtest_start``)."""
    from transactions.rules.backtest import backtest_run

    return backtest_run(backtest_id=backtest_id).status


@shared_task
def purge_webhook_history() -> int:
    """Beat, daily: delete webhook events (with their deliveries and log) past WEBHOOK_KEEP_DAYS."""
    from transactions.exchange.webhooks.retention import webhook_history_purge

    return webhook_history_purge()


# --- the archive (docs/archive.md); "archive_*" tasks go to the export queue -----------------


@shared_task(acks_late=True, reject_on_worker_lost=True)
def archive_due_months() -> list[dict[str, object]]:
    """Beat, monthly: archive every month past the hot window (write, verify, leave the hot table)."""
    from transactions.archive.services import archive_due

    return archive_due()


@shared_task
def archive_verify() -> dict[str, int]:
    """Beat, weekly: check every archived file's checksum and rows; damage is reported."""
    from transactions.archive.verify import archive_verify_all

    return archive_verify_all()


@shared_task
def archive_propose_deletion() -> int | None:
    """Beat, monthly: propose deleting what the retention period no longer requires."""
    from transactions.archive.retention import deletion_job_propose

    job = deletion_job_propose()
    return job.pk if job else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def archive_run_deletion(job_id: int) -> str:
    """Queued when a lead approves a deletion job: delete and log."""
    from transactions.archive.retention import deletion_job_run

    return deletion_job_run(job_id=job_id).status
