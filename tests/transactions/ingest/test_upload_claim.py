"""A re-sent upload message never runs beside the attempt that is still at the file."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections

from tests.factories import MembershipFactory
from tests.transactions.helpers import report, report_csv, reporting_terminal
from transactions.ingest.uploads import UPLOAD_LOCK_SPACE, upload_process
from transactions.models import ReportUpload, UploadStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the claim is a PostgreSQL advisory lock"
    ),
]


def _upload() -> ReportUpload:
    terminal = reporting_terminal()
    membership = MembershipFactory(merchant=terminal.merchant)
    upload = ReportUpload(
        merchant=membership.merchant, uploaded_by=membership.user, original_name="day.csv"
    )
    upload.file.save("day.csv", ContentFile(report_csv([report(terminal)])), save=False)
    upload.save()
    return upload


def test_an_upload_another_worker_holds_is_left_alone():
    upload = _upload()
    other = connections.create_connection("default")
    key = [UPLOAD_LOCK_SPACE, upload.pk]
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
            assert upload_process(upload_id=upload.pk).status == UploadStatus.QUEUED
            # Released before the connection closes: the server drops a closed session's locks
            # a moment after the client has gone, and the next claim could still find it held.
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    finally:
        other.close()
    assert upload_process(upload_id=upload.pk).status == UploadStatus.DONE


def test_the_claim_is_released_when_the_file_is_done():
    upload = _upload()
    upload_process(upload_id=upload.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [UPLOAD_LOCK_SPACE, upload.pk])
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [UPLOAD_LOCK_SPACE, upload.pk])
