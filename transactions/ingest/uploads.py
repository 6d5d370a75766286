"""Batch files: accept the upload, then process it in a Celery task with visible progress."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant, Terminal, TerminalStatus
from portal.common.locks import STALLED_AFTER, worker_claim
from portal.common.queue import enqueue_on_commit
from transactions.ingest.files import (
    FileFormatError,
    batch_file_check,
    discard_upload,
    read_rows,
    sniff_format,
)
from transactions.ingest.reporting import require_reporting
from transactions.ingest.store import Incoming, store_reports
from transactions.ingest.validate import Errors, scan_sensitive, validate_report
from transactions.ingest.workflow import UPLOAD
from transactions.models import ReportUpload, RowOutcome, Source, UploadRowResult, UploadStatus

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
CHUNK_ROWS = 2000
# The advisory-lock namespace of "a worker is processing this upload" (PostgreSQL only).
UPLOAD_LOCK_SPACE = 0x55504C44  # "UPLD"


def upload_create(*, merchant: Merchant, actor: Any, upload: UploadedFile) -> ReportUpload:
    """Keep the file and queue its processing; refuse files that cannot be a report file."""
    require_reporting(merchant)
    batch_file_check(
        upload,
        max_bytes=MAX_UPLOAD_BYTES,
        too_large=_("The file is larger than 100 MB; split it into several files."),
    )
    report_upload = ReportUpload(
        merchant=merchant, uploaded_by=actor, original_name=(upload.name or "upload")[:255]
    )
    report_upload.file.save(upload.name or "upload", upload, save=False)
    report_upload.save()
    enqueue_on_commit("transactions.tasks.process_upload", report_upload.pk)
    return report_upload


def uploads_stalled(*, now: datetime | None = None) -> list[int]:
    """Uploads still unfinished ``STALLED_AFTER`` after they arrived: their message was lost.

    A worker killed mid-file leaves its message with the broker, which delivers it again after
    the visibility timeout; but a broker restarted without persistence has lost every message
    it held, and such an upload would stay queued (or processing) for ever. Sending it again is
    safe: a finished upload returns at once, and the rows an earlier attempt stored are found
    and counted once (tests/reliability/test_faults_redis_restart.py).
    """
    cutoff = (now or timezone.now()) - STALLED_AFTER
    return list(
        ReportUpload.objects.filter(
            status__in=(UploadStatus.QUEUED, UploadStatus.PROCESSING), created_at__lt=cutoff
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def upload_process(*, upload_id: int) -> ReportUpload:
    """Read the file, store every valid row, record every other row with its line and reasons.

    Safe to run again after a crash: stored rows are found again (and counted once), row results
    are rewritten. A second delivery while another worker is still at the file (the broker's
    redelivery, or beat's stalled-upload sweep) leaves it alone rather than counting it twice.
    """
    with worker_claim(UPLOAD_LOCK_SPACE, upload_id) as claimed:
        if not claimed:
            return ReportUpload.objects.get(pk=upload_id)
        return _process(upload_id)


def _process(upload_id: int) -> ReportUpload:
    upload = ReportUpload.objects.select_related("merchant").get(pk=upload_id)
    if upload.status == UploadStatus.DONE:
        return upload
    UploadRowResult.objects.filter(upload=upload).delete()
    UPLOAD.apply(upload, "start")
    _save(upload, processed_rows=0, accepted=0, duplicates=0, rejected=0, error="")
    terminals = {
        t.tid: t
        for t in Terminal.objects.filter(merchant=upload.merchant, status=TerminalStatus.ACTIVE)
    }
    try:
        with _open(upload) as stream:
            file_format = sniff_format(stream.read(4096), upload.original_name)
            stream.seek(0)
            _save(upload, total_rows=_count_rows(upload, file_format))
            for chunk in _chunks(read_rows(stream, file_format), CHUNK_ROWS):
                _process_chunk(upload, chunk, terminals)
    except FileFormatError as exc:
        UPLOAD.apply(upload, "fail")
        _save(upload, error=str(exc), finished_at=timezone.now())
        discard_upload(upload)
        return upload
    UPLOAD.apply(upload, "finish")
    _save(upload, finished_at=timezone.now(), total_rows=upload.processed_rows)
    discard_upload(upload)
    return upload


def _process_chunk(
    upload: ReportUpload, chunk: list[tuple[int, dict[str, Any]]], terminals: dict[str, Terminal]
) -> None:
    now = timezone.now()
    results: list[UploadRowResult] = []
    incoming: list[Incoming] = []
    lines: dict[int, dict[str, Any]] = {}
    for line, raw in chunk:
        valid, errors = validate_report(raw, now=now)
        terminal = terminals.get(str(raw.get("tid", "")).upper())
        if valid is not None and terminal is None:
            errors = {"tid": [_("No active terminal with this TID at your merchant.")]}
        if errors:
            results.append(_row_result(upload, line, raw, RowOutcome.REJECTED, errors))
            continue
        lines[line] = raw
        incoming.append(Incoming(line, terminal.pk, upload.merchant_id, valid))
    stored = store_reports(incoming, source=Source.FILE, upload_id=upload.pk)
    for line in stored.accepted + stored.restored:
        results.append(_row_result(upload, line, lines[line], RowOutcome.ACCEPTED, {}))
    for line in stored.duplicates:
        message = _("Already reported.")
        results.append(
            _row_result(upload, line, lines[line], RowOutcome.DUPLICATE, {"report_id": [message]})
        )
    for line in stored.conflicts:
        message = _("Another report with this report_id was already stored with other content.")
        results.append(
            _row_result(upload, line, lines[line], RowOutcome.CONFLICT, {"report_id": [message]})
        )
    UploadRowResult.objects.bulk_create(results)
    upload.processed_rows += len(chunk)
    upload.accepted += len(stored.accepted) + len(stored.restored)
    upload.duplicates += len(stored.duplicates)
    upload.rejected += len(chunk) - len(incoming) + len(stored.conflicts)
    _save(upload)


def _row_result(
    upload: ReportUpload, line: int, raw: dict[str, Any], outcome: str, errors: Errors
) -> UploadRowResult:
    report_id = raw.get("report_id")
    probe: Errors = {}
    scan_sensitive({"report_id": report_id} if isinstance(report_id, str) else {}, probe)
    keep_id = isinstance(report_id, str) and len(report_id) <= 36 and not probe
    errors = {k: [str(m) for m in v] for k, v in errors.items()}
    return UploadRowResult(
        upload=upload,
        line=line,
        report_id=report_id if keep_id else "",
        outcome=outcome,
        errors=errors,
    )


def _open(upload: ReportUpload) -> IO[bytes]:
    # A handle of its own each time (FieldFile.open would share one between readers).
    return upload.file.storage.open(upload.file.name, "rb")


def _count_rows(upload: ReportUpload, file_format: str) -> int:
    with _open(upload) as stream:
        try:
            return sum(1 for _ in read_rows(stream, file_format))
        except FileFormatError:
            return 0


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _save(upload: ReportUpload, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(upload, name, value)
    upload.save(
        update_fields=[
            "status",
            "total_rows",
            "processed_rows",
            "accepted",
            "duplicates",
            "rejected",
            "error",
            "finished_at",
        ]
    )
