"""Importing settlement files: good rows stored, bad rows and bad files reported by line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import (
    HEADER,
    MAPPING,
    AcquirerFactory,
    csv_bytes,
    line_for,
    upload,
)
from transactions.models import FileStatus, SettlementFile, SettlementLine, SettlementLineError
from transactions.reconciliation.importer import settlement_file_import
from transactions.reconciliation.services import settlement_file_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001")


def imported(settlement: SettlementFile) -> SettlementFile:
    settlement_file_import(file_id=settlement.pk)
    settlement.refresh_from_db()
    return settlement


def errors(settlement: SettlementFile) -> dict[int, set[str]]:
    return {e.line_no: set(e.errors) for e in SettlementLineError.objects.filter(file=settlement)}


def test_a_good_file_stores_every_line(report):
    settlement = imported(upload([line_for(report), line_for(report, rrn="331200000002")]))
    assert settlement.status == FileStatus.IMPORTED
    assert (settlement.line_count, settlement.error_count) == (2, 0)
    line = SettlementLine.objects.get(line_no=2)
    assert (line.tid, line.merchant_id, line.terminal_id) == (
        report.tid,
        report.merchant_id,
        report.terminal_id,
    )
    assert line.type == "sale" and line.day == shanghai(2, 10).date()


def test_bad_rows_are_reported_with_their_line_and_field(report):
    rows = [
        line_for(report),
        line_for(report, amount="12,3x"),
        line_for(report, tid="", settlement_date="31/01/2025"),
        line_for(report, rrn="", trace_no=""),
        line_for(report, masked_pan="6228481234561234", type="刷卡"),
        line_for(report, occurred_at="yesterday"),
    ]
    settlement = imported(upload(rows))
    assert (settlement.line_count, settlement.error_count) == (1, 5)
    assert errors(settlement) == {
        3: {"amount"},
        4: {"tid", "settlement_date"},
        5: {"rrn"},
        6: {"masked_pan", "type"},
        7: {"occurred_at"},
    }


def test_the_file_is_deleted_once_read_so_a_full_card_number_leaves_no_copy(report, settings):
    pan = "6222021234567890128"
    settlement = imported(upload([line_for(report), line_for(report, masked_pan=pan)]))
    assert errors(settlement) == {3: {"masked_pan"}}
    assert not settlement.file
    stored = [p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert not any(pan.encode() in content for content in stored)
    assert pan not in str(list(SettlementLineError.objects.values_list("errors", flat=True)))


def test_a_file_that_is_not_csv_or_excel_is_refused():
    with pytest.raises(ValidationError):
        upload([], content=b"\x00\x01\x02binary\x00", name="settle.bin")
    assert not SettlementFile.objects.exists()


def test_missing_columns_fail_the_file(report):
    content = csv_bytes([line_for(report)], header=[h if h != "参考号" else "RRN" for h in HEADER])
    settlement = imported(upload([], content=content))
    assert settlement.status == FileStatus.FAILED
    assert "参考号" in settlement.error
    assert not SettlementLine.objects.exists()


def test_a_wrong_mapping_fails_the_file(report):
    acquirer = AcquirerFactory(column_mapping={**MAPPING, "amount": "金额"})
    settlement = imported(upload([line_for(report)], acquirer=acquirer))
    assert settlement.status == FileStatus.FAILED
    assert "金额" in settlement.error


def test_an_empty_file_fails():
    settlement = imported(upload([], content="\ufeff".encode() + ",".join(HEADER).encode()))
    assert settlement.status == FileStatus.FAILED


def test_the_same_file_again_is_refused_and_stores_nothing_twice(report):
    content = csv_bytes([line_for(report)])
    first = imported(upload([], content=content))
    with pytest.raises(ValidationError, match="imported before"):
        upload([], content=content, acquirer=first.acquirer, name="again.csv")
    assert SettlementFile.objects.count() == 1
    assert SettlementLine.objects.count() == 1


def test_importing_a_file_twice_keeps_one_copy_of_its_lines(report):
    settlement = imported(upload([line_for(report)]))
    assert settlement_file_import(file_id=settlement.pk).status == FileStatus.IMPORTED
    assert SettlementLine.objects.count() == 1


def test_an_excel_file_is_read_like_csv(report):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = line_for(report)
    sheet.append([row[field] for field in MAPPING])
    data = io.BytesIO()
    workbook.save(data)
    settlement = imported(upload([], content=data.getvalue(), name="settle.xlsx"))
    assert (settlement.status, settlement.line_count) == (FileStatus.IMPORTED, 1)


def test_a_merchant_file_refuses_lines_of_other_merchants(report):
    stranger = plant(reporting_terminal(), at=shanghai(2, 11), rrn="331200000009")
    settlement = imported(upload([line_for(report), line_for(stranger)], merchant=report.merchant))
    assert (settlement.line_count, settlement.error_count) == (1, 1)
    assert errors(settlement) == {3: {"mid"}}


def test_the_upload_queues_import_and_reconciliation(report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        settlement = upload([line_for(report)])
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.DONE
    assert settlement.runs.get().matched == 1


def test_a_failed_file_is_not_reconciled(report):
    acquirer = AcquirerFactory(column_mapping={**MAPPING, "amount": "金额"})
    settlement = upload([line_for(report)], acquirer=acquirer)
    assert settlement_file_process(file_id=settlement.pk, trigger="test") is None
    assert not settlement.runs.exists()


def test_uploaded_file_name_is_kept():
    settlement = upload([], content=csv_bytes([]), name="UMS_20250131.csv")
    assert settlement.original_name == "UMS_20250131.csv"
    assert isinstance(settlement.file.name, str)


def test_acquirer_form_refuses_a_mapping_without_required_fields():
    from transactions.reconciliation.forms import AcquirerForm

    data = {
        "name": "X",
        "code": "x",
        "column_mapping": '{"tid": "终端号"}',
        "type_values": "{}",
        "amount_tolerance": "0",
        "time_window_seconds": "60",
    }
    form = AcquirerForm(data)
    assert not form.is_valid()
    assert "column_mapping" in form.errors


def test_acquirer_form_accepts_the_documented_mapping():
    import json

    from transactions.reconciliation.forms import AcquirerForm

    data = {
        "name": "X",
        "code": "x",
        "column_mapping": json.dumps(MAPPING),
        "type_values": '{"消费": "sale"}',
        "amount_tolerance": "0.05",
        "time_window_seconds": "60",
    }
    assert AcquirerForm(data).is_valid()


def test_a_settlement_date_with_anything_after_it_is_refused_with_its_line(report):
    rows = [line_for(report), line_for(report, settlement_date="2026-02-02junk")]
    settlement = imported(upload(rows))
    assert (settlement.line_count, settlement.error_count) == (1, 1)
    assert errors(settlement) == {3: {"settlement_date"}}


def test_a_settlement_date_with_a_time_of_day_is_read_as_its_date(report):
    settlement = imported(upload([line_for(report, settlement_date="2026-02-02 00:00:00")]))
    assert (settlement.line_count, settlement.error_count) == (1, 0)
    assert SettlementLine.objects.get().settlement_date.isoformat() == "2026-02-02"


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def test_excel_identifiers_typed_as_numbers_get_their_leading_zeros_back():
    terminal = reporting_terminal()
    terminal.tid = "00012345"
    terminal.save()
    report = plant(terminal, at=shanghai(2, 10), rrn="031200000001", trace_no="000123")
    row = line_for(report)
    cells = {**row, "tid": 12345, "rrn": 31200000001.0, "trace_no": 123, "batch_no": 1}
    cells["settlement_date"] = shanghai(2, 10).date()  # a date cell
    cells["amount"] = float(report.amount)
    content = workbook_bytes([[cells[field] for field in MAPPING]])
    settlement = upload([], content=content, name="settle.xlsx")
    run = settlement_file_process(file_id=settlement.pk, trigger="test")
    line = SettlementLine.objects.get()
    assert (line.tid, line.rrn, line.trace_no, line.batch_no) == (
        "00012345",
        "031200000001",
        "000123",
        "000001",
    )
    assert run.matched == 1


def test_excel_identifiers_typed_as_text_are_read_as_in_a_csv(report):
    row = line_for(report, trace_no="123")
    content = workbook_bytes([[row[field] for field in MAPPING]])
    settlement = imported(upload([], content=content, name="settle.xlsx"))
    assert settlement.line_count == 1
    assert SettlementLine.objects.get().trace_no == "123"
