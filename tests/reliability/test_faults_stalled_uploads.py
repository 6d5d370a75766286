"""Uploads whose message the broker lost are found and sent again, and finish once.

The Redis-restart test shows it with a real worker; these show the choice of uploads and the
re-send on any database (the suite runs tasks eagerly).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.reliability.fault_support import queued_upload, reports_for, stored_once
from tests.transactions.helpers import reporting_terminal
from transactions.ingest.uploads import STALLED_AFTER, uploads_stalled
from transactions.models import ReportUpload, UploadStatus
from transactions.tasks import requeue_stalled_uploads

pytestmark = pytest.mark.django_db


def _aged(upload: ReportUpload, by: timedelta, status: str = UploadStatus.QUEUED) -> ReportUpload:
    ReportUpload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - by, status=status)
    return upload


def test_only_unfinished_uploads_older_than_the_stall_limit_are_stalled():
    terminal = reporting_terminal()
    rows = reports_for(terminal, 2)
    later = STALLED_AFTER + timedelta(minutes=1)
    queued = _aged(queued_upload(terminal.merchant, rows, "q.csv"), later)
    processing = _aged(
        queued_upload(terminal.merchant, rows, "p.csv"), later, UploadStatus.PROCESSING
    )
    _aged(queued_upload(terminal.merchant, rows, "fresh.csv"), timedelta(minutes=5))
    _aged(queued_upload(terminal.merchant, rows, "done.csv"), later, UploadStatus.DONE)
    _aged(queued_upload(terminal.merchant, rows, "failed.csv"), later, UploadStatus.FAILED)

    assert uploads_stalled() == [queued.pk, processing.pk]


def test_a_stalled_upload_sent_again_finishes_with_every_row_stored_once():
    terminal = reporting_terminal()
    rows = reports_for(terminal, 30)
    upload = _aged(queued_upload(terminal.merchant, rows, "lost.csv"), STALLED_AFTER * 2)

    assert requeue_stalled_uploads() == [upload.pk]
    assert requeue_stalled_uploads() == []  # finished: not sent a second time

    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE
    assert (upload.accepted, upload.duplicates, upload.rejected) == (30, 0, 0)
    figures = stored_once(r["report_id"] for r in rows)
    assert (figures["stored"], figures["lost"], figures["duplicated"]) == (30, 0, 0)
