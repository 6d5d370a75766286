"""Reconciliation runs: match an imported settlement file and record what was found."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ..models import FileStatus, ReconciliationRun, ReconciliationTotal, RunStatus, SettlementFile
from ..reconciliation.alerts import recon_alerts
from ..reconciliation.importer import settlement_file_import
from ..reconciliation.matching import match_file
from ..reconciliation.workflow import file_move

log = logging.getLogger(__name__)

COUNTED = (
    "matched",
    "amount_mismatch",
    "reported_not_settled",
    "settled_not_reported",
    "duplicate_in_file",
)


def reconciliation_run(*, file_id: int, trigger: str) -> ReconciliationRun | None:
    """Match the file against the reports; None when the file is not ready (or already running).

    One transaction: a run that fails leaves no half-written items, and the file goes to failed
    with the reason.
    """
    settlement = SettlementFile.objects.select_related("acquirer").get(pk=file_id)
    if not file_move(settlement, "start_reconcile"):
        return None
    started = time.monotonic()
    run = ReconciliationRun.objects.create(file=settlement, trigger=trigger[:100])
    try:
        with transaction.atomic():
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
            run.status = RunStatus.DONE
            _finish(run, started)
            file_move(settlement, "reconciled", finished_at=timezone.now())
    except Exception as exc:
        run.status = RunStatus.FAILED
        run.error = str(exc)[:2000]
        _finish(run, started)
        file_move(settlement, "fail", error=str(exc)[:2000], finished_at=timezone.now())
        raise
    return run


def _finish(run: ReconciliationRun, started: float) -> None:
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save()


def settlement_file_process(*, file_id: int, trigger: str) -> ReconciliationRun | None:
    """Import the file if it is queued, then reconcile it if the import succeeded."""
    settlement = settlement_file_import(file_id=file_id)
    if settlement.status != FileStatus.IMPORTED:
        return None
    return reconciliation_run(file_id=file_id, trigger=trigger)


def reconcile_pending(*, trigger: str) -> list[int]:
    """Every file that arrived and was not reconciled yet: import and reconcile it."""
    done = []
    pending = SettlementFile.objects.filter(
        status__in=(FileStatus.QUEUED, FileStatus.IMPORTED)
    ).values_list("pk", flat=True)
    for file_id in list(pending):
        run = settlement_file_process(file_id=file_id, trigger=trigger)
        if run is not None:
            done.append(run.pk)
    return done
