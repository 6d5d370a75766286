"""Batch files: CSV and Excel, processed with a row-numbered result, idempotent on re-runs."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from merchants.models import Role
from tests.factories import MembershipFactory
from tests.transactions.helpers import report, report_csv, reporting_terminal
from transactions.ingest.uploads import upload_process
from transactions.ingest.wire import FIELDS
from transactions.models import Report, ReportUpload, RowOutcome, UploadStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def terminal():
    return reporting_terminal()


@pytest.fixture
def owner_client(client, terminal):
    client.force_login(MembershipFactory(merchant=terminal.merchant, role=Role.OWNER).user)
    return client


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(FIELDS))
    for row in rows:
        sheet.append([row.get(name) for name in FIELDS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, name, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("transactions:uploads"), {"file": SimpleUploadedFile(name, content)}
        )
    return response, ReportUpload.objects.order_by("pk").last()


def test_csv_file_is_processed_with_line_numbers(
    owner_client, terminal, django_capture_on_commit_callbacks
):
    rows = [
        report(terminal),
        report(terminal, amount="1.234"),
        report(terminal),
        report(terminal, tid="99999999"),
    ]
    response, upload = _upload(
        owner_client, "day.csv", report_csv(rows), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE
    assert (upload.accepted, upload.duplicates, upload.rejected, upload.total_rows) == (2, 0, 2, 4)
    results = list(upload.row_results.values_list("line", "outcome"))
    assert results == [
        (2, RowOutcome.ACCEPTED),
        (3, RowOutcome.REJECTED),
        (4, RowOutcome.ACCEPTED),
        (5, RowOutcome.REJECTED),
    ]
    assert "tid" in upload.row_results.get(line=5).errors
    assert Report.objects.filter(upload=upload, source="file").count() == 2


def test_excel_file_is_processed(owner_client, terminal, django_capture_on_commit_callbacks):
    rows = [report(terminal) for _ in range(3)]
    _response, upload = _upload(
        owner_client, "day.xlsx", xlsx_bytes(rows), django_capture_on_commit_callbacks
    )
    upload.refresh_from_db()
    assert (upload.status, upload.accepted) == (UploadStatus.DONE, 3)
    stored = Report.objects.get(report_id=rows[0]["report_id"])
    assert str(stored.amount) == "128.50" and stored.lat is not None


def test_uploading_the_same_file_again_stores_nothing_twice(
    owner_client, terminal, django_capture_on_commit_callbacks
):
    content = report_csv([report(terminal) for _ in range(3)])
    _upload(owner_client, "a.csv", content, django_capture_on_commit_callbacks)
    _response, second = _upload(owner_client, "a.csv", content, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert (second.accepted, second.duplicates) == (0, 3)
    assert Report.objects.count() == 3


def test_rerun_after_a_crash_counts_each_row_once(
    owner_client, terminal, django_capture_on_commit_callbacks, monkeypatch
):
    content = report_csv([report(terminal) for _ in range(3)])
    # Killed after storing the rows, before finishing: the file is still there, status not done.
    with monkeypatch.context() as patch:
        patch.setattr("transactions.ingest.uploads.discard_upload", lambda upload: None)
        _response, upload = _upload(
            owner_client, "a.csv", content, django_capture_on_commit_callbacks
        )
    ReportUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload = upload_process(upload_id=upload.pk)
    assert (upload.accepted, upload.duplicates, upload.rejected) == (3, 0, 0)
    assert Report.objects.count() == 3


def test_not_a_csv_or_excel_file_is_refused(owner_client, django_capture_on_commit_callbacks):
    response, _ = _upload(
        owner_client, "x.csv", b"\x00\x01\x02\xff\xfe binary", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert "UTF-8 CSV" in response.content.decode()
    assert not ReportUpload.objects.exists()


def test_file_without_a_header_fails_with_a_clear_error(
    owner_client, django_capture_on_commit_callbacks
):
    _response, upload = _upload(
        owner_client, "x.csv", b"1,2,3\n4,5,6\n", django_capture_on_commit_callbacks
    )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "first row" in upload.error


def test_card_number_in_a_file_row_is_rejected_and_not_kept(
    owner_client, terminal, django_capture_on_commit_callbacks
):
    pan = "6222021234567890128"
    rows = [report(terminal, card_token=pan), report(terminal)]
    _response, upload = _upload(
        owner_client, "x.csv", report_csv(rows), django_capture_on_commit_callbacks
    )
    upload.refresh_from_db()
    assert (upload.accepted, upload.rejected) == (1, 1)
    assert pan not in str(list(upload.row_results.values_list("errors", "report_id")))


def test_the_uploaded_file_is_deleted_once_read_so_a_refused_card_number_leaves_no_copy(
    owner_client, terminal, django_capture_on_commit_callbacks, settings
):
    pan = "6222021234567890128"
    rows = [report(terminal, card_token=pan), report(terminal)]
    _response, upload = _upload(
        owner_client, "x.csv", report_csv(rows), django_capture_on_commit_callbacks
    )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and not upload.file
    stored = [p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert not any(pan.encode() in content for content in stored)


def test_a_file_refused_as_a_whole_is_deleted_too(
    owner_client, django_capture_on_commit_callbacks, settings
):
    _response, upload = _upload(
        owner_client, "x.csv", b"no header here\n", django_capture_on_commit_callbacks
    )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and not upload.file
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_progress_page_polls_until_done(owner_client, terminal):
    upload = ReportUpload.objects.create(
        merchant=terminal.merchant,
        original_name="x.csv",
        total_rows=10,
        processed_rows=4,
        status=UploadStatus.PROCESSING,
    )
    page = owner_client.get(
        reverse("transactions:upload_detail", args=[upload.pk])
    ).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="40"' in page
    partial = owner_client.get(
        reverse("transactions:upload_detail", args=[upload.pk]), HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode()


def test_results_download_lists_rejected_lines_and_neutralises_formulas(
    owner_client, terminal, django_capture_on_commit_callbacks
):
    rows = [report(terminal, report_id="=HYPERLINK(1)")]
    _response, upload = _upload(
        owner_client, "x.csv", report_csv(rows), django_capture_on_commit_callbacks
    )
    response = owner_client.get(reverse("transactions:upload_results", args=[upload.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[1][0] == "2"
    assert lines[1][1] == "'=HYPERLINK(1)"
    assert lines[1][2] == "Rejected"


def test_another_merchants_upload_is_404(client, terminal):
    upload = ReportUpload.objects.create(merchant=terminal.merchant, original_name="x.csv")
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("transactions:upload_detail", args=[upload.pk])).status_code == 404
    assert client.get(reverse("transactions:upload_results", args=[upload.pk])).status_code == 404


def test_viewer_cannot_upload(client, terminal):
    client.force_login(MembershipFactory(merchant=terminal.merchant, role=Role.VIEWER).user)
    response = client.post(
        reverse("transactions:uploads"), {"file": SimpleUploadedFile("a.csv", b"report_id\n")}
    )
    assert response.status_code == 403


def test_reporting_off_refuses_uploads(owner_client, terminal, django_capture_on_commit_callbacks):
    from merchants.models import ReportingSettings

    ReportingSettings.objects.filter(merchant=terminal.merchant).update(enabled=False)
    response, _ = _upload(
        owner_client, "a.csv", report_csv([report(terminal)]), django_capture_on_commit_callbacks
    )
    assert "Turn reporting on" in response.content.decode()


def test_the_copy_column_order_is_the_one_the_benchmark_generators_write():
    # bench/common.py report_tuple and bench/audit_data.py Writer build positional COPY rows.
    from transactions.ingest.store import COLUMNS

    assert COLUMNS[:5] == ("terminal_id", "merchant_id", "report_id", "occurred_at", "received_at")
    assert COLUMNS[5:] == (
        *(name for name in FIELDS if name not in ("report_id", "occurred_at")),
        "source",
        "content_hash",
        "upload_id",
    )
