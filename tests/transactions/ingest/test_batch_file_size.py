"""Report batches and settlement files share one upload guard, each under its own size limit."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import AcquirerFactory
from transactions.ingest import uploads
from transactions.models import ReportUpload, SettlementFile
from transactions.reconciliation import services as reconciliation

pytestmark = pytest.mark.django_db

CSV = b"report_id,occurred_at,amount\n"


def test_a_report_batch_over_its_limit_is_refused_with_its_message(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", len(CSV) - 1)
    terminal = reporting_terminal()
    with pytest.raises(ValidationError) as refused:
        uploads.upload_create(
            merchant=terminal.merchant,
            actor=UserFactory(),
            upload=SimpleUploadedFile("batch.csv", CSV),
        )
    assert refused.value.messages == [
        "The file is larger than 100 MB; split it into several files."
    ]
    assert not ReportUpload.objects.exists()


def test_a_settlement_file_over_its_limit_is_refused_with_its_message(monkeypatch):
    monkeypatch.setattr(reconciliation, "MAX_FILE_BYTES", len(CSV) - 1)
    with pytest.raises(ValidationError) as refused:
        reconciliation.settlement_file_check(
            upload=SimpleUploadedFile("settle.csv", CSV), acquirer=AcquirerFactory()
        )
    assert refused.value.messages == [
        "The file is larger than 500 MB; split it into several files."
    ]
    assert not SettlementFile.objects.exists()


def test_a_file_at_its_limit_is_accepted(monkeypatch):
    monkeypatch.setattr(reconciliation, "MAX_FILE_BYTES", len(CSV))
    sha256 = reconciliation.settlement_file_check(
        upload=SimpleUploadedFile("settle.csv", CSV), acquirer=AcquirerFactory()
    )
    assert len(sha256) == 64


def test_a_settlement_file_neither_csv_nor_excel_is_refused():
    with pytest.raises(ValidationError) as refused:
        reconciliation.settlement_file_check(
            upload=SimpleUploadedFile("settle.csv", b"\x00\x01binary"), acquirer=AcquirerFactory()
        )
    assert refused.value.messages == ["Upload a UTF-8 CSV file or an Excel (.xlsx) workbook."]
