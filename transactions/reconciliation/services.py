"""Reconciliation runs: match an imported settlement file and record what was found."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from portal.common import events
from portal.common.locks import STALLED_AFTER
from portal.common.queue import enqueue_on_commit
from transactions.ingest.files import batch_file_check
from transactions.models import (
    Acquirer,
    FileStatus,
    ReconciliationRun,
    ReconciliationTotal,
    SettlementFile,
    SettlementLine,
)
from transactions.reconciliation.alerts import recon_alerts
from transactions.reconciliation.importer import settlement_file_import
from transactions.reconciliation.matching import match_file
from transactions.reconciliation.workflow import FILE_FLOW, RUN_FLOW, file_move

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 500 * 1024 * 1024
COUNTED = (
    "matched",
    "amount_mismatch",
    "reported_not_settled",
    "settled_not_reported",
    "duplicate_in_file",
    "merchant_not_in_file",
)
UNFINISHED = (
    FileStatus.QUEUED,
    FileStatus.IMPORTING,
    FileStatus.IMPORTED,
    FileStatus.RECONCILING,
)


def settlement_file_check(
    *, upload: UploadedFile, acquirer: Acquirer, merchant: Merchant | None = None
) -> str:
    """The file's SHA-256; refuses what cannot be a settlement file or was imported before.

    Before within the file's ledger only: a merchant's upload is compared with that merchant's
    own uploads (so a refusal tells it nothing about anyone else's files), the acquirer's file
    with the acquirer's files uploaded by staff.
    """
    batch_file_check(
        upload,
        max_bytes=MAX_FILE_BYTES,
        too_large=_("The file is larger than 500 MB; split it into several files."),
    )
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    sha256 = digest.hexdigest()
    if _same_file(sha256=sha256, acquirer=acquirer, merchant=merchant).exists():
        raise ValidationError(_("This file was imported before; nothing was stored twice."))
    return sha256


def _same_file(*, sha256: str, acquirer: Acquirer, merchant: Merchant | None) -> Any:
    """Earlier files of the same ledger with these bytes (the model's two unique constraints)."""
    files = SettlementFile.objects.filter(sha256=sha256).exclude(status=FileStatus.FAILED)
    if merchant is not None:
        return files.filter(merchant=merchant)
    return files.filter(merchant__isnull=True, acquirer=acquirer)


def settlement_file_create(
    *, acquirer: Acquirer, upload: UploadedFile, actor: Any, merchant: Merchant | None = None
) -> SettlementFile:
    """Keep the file and queue its import (then its reconciliation)."""
    sha256 = settlement_file_check(upload=upload, acquirer=acquirer, merchant=merchant)
    settlement = SettlementFile(
        acquirer=acquirer,
        merchant=merchant,
        uploaded_by=actor,
        original_name=(upload.name or "settlement")[:255],
        sha256=sha256,
    )
    settlement.file.save(upload.name or "settlement", upload, save=False)
    try:
        with transaction.atomic():
            settlement.save()
    except IntegrityError as exc:
        # The same file, uploaded at the same moment by someone else of the ledger, was stored
        # between the check above and this insert: the constraint refuses the second one.
        settlement.file.delete(save=False)
        raise ValidationError(
            _("This file was imported before; nothing was stored twice.")
        ) from exc
    enqueue_on_commit("transactions.tasks.import_settlement_file", settlement.pk)
    return settlement


def reconciliation_run(*, file_id: int, trigger: str) -> ReconciliationRun | None:
    """Match the file against the reports; None when the file is not ready (or already running).

    One transaction, with the file's row locked: a second worker finds it locked and leaves it,
    and a worker killed mid-run leaves the file as it was (no run "running" for ever, no file
    "reconciling"). A run that raises is rolled back to a savepoint and recorded as failed, with
    the file, and the error raised again.
    """
    with transaction.atomic():
        settlement = (
            SettlementFile.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("acquirer")
            .filter(pk=file_id, status__in=FILE_FLOW["start_reconcile"].sources)
            .first()
        )
        if settlement is None or not file_move(
            settlement,
            "start_reconcile",
            reason=_("Reconciliation started (%(trigger)s).") % {"trigger": trigger[:100]},
        ):
            return None
        # Runs a killed worker of an earlier version left "running" (this one commits none).
        RUN_FLOW.move_all(settlement.runs.all(), "fail", error=_("The worker running it was lost."))
        started = time.monotonic()
        run = ReconciliationRun.objects.create(file=settlement, trigger=trigger[:100])
        try:
            with transaction.atomic():
                _match(settlement, run)
        except Exception as exc:
            RUN_FLOW.apply(run, "fail")
            run.error = str(exc)[:2000]
            _finish(run, started)
            file_move(
                settlement,
                "fail",
                reason=_("Reconciliation run #%(run)d failed: %(error)s")
                % {"run": run.pk, "error": str(exc)[:500]},
                error=str(exc)[:2000],
                finished_at=timezone.now(),
            )
            failure: Exception | None = exc
        else:
            RUN_FLOW.apply(run, "done")
            _finish(run, started)
            file_move(
                settlement,
                "reconciled",
                reason=_("Reconciled by run #%(run)d: %(differences)d differences.")
                % {"run": run.pk, "differences": run.differences},
                finished_at=timezone.now(),
            )
            _announce(run)
            failure = None
    if failure is not None:
        raise failure
    return run


def _match(settlement: SettlementFile, run: ReconciliationRun) -> None:
    match_file(file=settlement, run_id=run.pk)
    counts = dict(
        ReconciliationTotal.objects.filter(run=run)
        .values("outcome")
        .annotate(n=Sum("count"))
        .values_list("outcome", "n")
    )
    for name in COUNTED:
        setattr(run, name, counts.get(name, 0))
    alerts_started = time.monotonic()
    run.alerts_created = recon_alerts(run=run)
    log.info("reconciliation alerts: %.2f s", time.monotonic() - alerts_started)


def _announce(run: ReconciliationRun) -> None:
    """``reconciliation.finished`` once per merchant in the run, with that merchant's counts."""
    if not events.event_wanted(events.RECONCILIATION_FINISHED):
        return
    per_merchant: dict[int, dict[str, Any]] = {}
    rows = (
        ReconciliationTotal.objects.filter(run=run, merchant__isnull=False)
        .values("merchant_id", "merchant__mid", "outcome")
        .annotate(n=Sum("count"))
        .order_by("merchant_id", "outcome")
    )
    for row in rows:
        data = per_merchant.setdefault(
            row["merchant_id"],
            {
                "run_id": run.pk,
                "file_id": run.file_id,
                "mid": row["merchant__mid"],
                "status": run.status,
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                "counts": {},
            },
        )
        data["counts"][row["outcome"]] = row["n"]
    events.events_record(
        event_type=events.RECONCILIATION_FINISHED, events=list(per_merchant.items())
    )


def _finish(run: ReconciliationRun, started: float) -> None:
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save()


def settlement_file_process(*, file_id: int, trigger: str) -> ReconciliationRun | None:
    """Import the file if it is queued (or its import was left unfinished), then reconcile it."""
    settlement = settlement_file_import(file_id=file_id)
    if settlement.status not in (FileStatus.IMPORTED, FileStatus.RECONCILING):
        return None
    return reconciliation_run(file_id=file_id, trigger=trigger)


def settlement_files_stalled(*, now: datetime | None = None) -> list[int]:
    """Files still unfinished ``STALLED_AFTER`` after they arrived: their task was lost.

    A killed worker's message comes back from the broker after its visibility timeout, but a
    broker restarted without persistence has lost it, and the file would stay queued, importing
    or imported for ever. Sending it again is safe: a finished step is not done twice, an
    unfinished import starts again from nothing unless a live worker holds it.
    """
    cutoff = (now or timezone.now()) - STALLED_AFTER
    return list(
        SettlementFile.objects.filter(status__in=UNFINISHED, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def settlement_file_retry(*, settlement: SettlementFile, actor: Any, reason: str) -> str:
    """Send a failed file through again, for ``actor`` and ``reason`` (both recorded); returns
    how (``import`` or ``reconcile``).

    From its bytes when they are still stored (the import stopped for another reason than the
    file); else, when its lines are stored (the run failed), from them. A file refused as a whole
    kept nothing to retry from: it is to be uploaded again (it no longer counts as imported).
    Refused without a reason, or for a user without the permission to upload settlement files.
    """
    if settlement.status != FileStatus.FAILED:
        raise ValidationError(_("Only a failed file can be retried."))
    if settlement.file:
        step, how = "retry", "import"
    elif SettlementLine.objects.filter(file=settlement).exists():
        step, how = "retry_reconcile", "reconcile"
    else:
        raise ValidationError(
            _(
                "Nothing is left of this file to retry from: it was refused as a whole and its "
                "content deleted. Correct the cause and upload the file again."
            )
        )

    def clear(file: SettlementFile, _transition: Any) -> None:
        file.error = ""
        file.finished_at = None

    try:
        with transaction.atomic():
            FILE_FLOW.step(
                settlement,
                step,
                actor=actor,
                reason=reason,
                prepare=clear,
                update_fields=["status", "error", "finished_at"],
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("The same file was uploaded again since it failed: that upload is the one to use.")
        ) from exc
    enqueue_on_commit("transactions.tasks.import_settlement_file", settlement.pk)
    return how
