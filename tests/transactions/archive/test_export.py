"""Writing a month: the Beijing month's edges, every column and its precision, streaming, the manifest."""

import json
from datetime import timedelta
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from portal.common.beijing import add_months
from tests.transactions.archive.helpers import local, month_with_31_days, reports_in
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report
from transactions.archive import files
from transactions.archive.export import archive_month_export
from transactions.archive.months import MonthError
from transactions.archive.schema import REPORT_FIELDS, SCHEMA, SCHEMA_VERSION
from transactions.archive.selectors import ArchiveUnreadable, archive_read
from transactions.archive.services import archive_month_run
from transactions.models import ArchiveStatus, CheckRecords, Decision, Report

pytestmark = pytest.mark.django_db


def test_a_month_is_its_beijing_days_from_the_1st_00_00_to_the_31st_23_59():
    month = month_with_31_days()
    terminal = reporting_terminal()
    inside = [
        make_report(terminal, occurred_at=local(month, 1, 0, 0, 0)),
        make_report(terminal, occurred_at=local(month, 31, 23, 59, 59)),
    ]
    next_month = make_report(terminal, occurred_at=local(add_months(month, 1), 1, 0, 0, 0))
    before = make_report(terminal, occurred_at=local(month, 1) - timedelta(hours=12, seconds=1))

    archive_month, _problems = archive_month_run(month=month)

    assert archive_month.row_count == 2
    assert {row["id"] for row in archive_read(month=month)} == {r.pk for r in inside}
    # 00:00 of the next month in Beijing is 16:00 UTC on the last day: still hot, not archived.
    assert set(Report.objects.values_list("pk", flat=True)) == {next_month.pk, before.pk}


def test_an_exported_month_is_not_read_before_it_is_verified():
    month = month_with_31_days()
    reports_in(month, 1)
    archive_month_export(month=month)
    with pytest.raises(ArchiveUnreadable, match="Exported"):
        list(archive_read(month=month))


def test_what_is_read_back_equals_the_reports_column_by_column():
    month = month_with_31_days()
    terminal = reporting_terminal()
    originals = [
        *reports_in(month, 5, terminal),
        make_report(
            terminal,
            occurred_at=local(month, 20),
            method="wechat",
            masked_pan="",
            card_token="",
            lat=Decimal("31.230416"),
            lng=Decimal("121.473701"),
        ),
    ]
    expected = {
        row[0]: dict(zip(REPORT_FIELDS, row, strict=True))
        for row in Report.objects.filter(pk__in=[r.pk for r in originals]).values_list(
            *REPORT_FIELDS
        )
    }

    archive_month_run(month=month)

    rows = list(archive_read(month=month))
    assert len(rows) == len(originals)
    for row in rows:
        original = expected[row["id"]]
        for field in REPORT_FIELDS:
            value = original[field]
            if field in ("report_id", "original_report_id") and value is not None:
                value = str(value)
            assert row[field] == value, field
        assert row["merchant_mid"] == terminal.merchant.mid


def test_money_and_coordinates_keep_every_digit_as_decimals():
    month = month_with_31_days()
    report = make_report(
        reporting_terminal(),
        occurred_at=local(month, 3),
        amount=Decimal("99999999.99"),
        lat=Decimal("-89.999999"),
        lng=Decimal("179.000001"),
    )
    archive_month_run(month=month)

    (row,) = archive_read(month=month)
    assert row["amount"] == Decimal("99999999.99") and isinstance(row["amount"], Decimal)
    assert row["lat"] == Decimal("-89.999999") and row["lng"] == Decimal("179.000001")
    assert str(SCHEMA.field("amount").type) == "decimal128(10, 2)"
    assert row["id"] == report.pk


def test_times_are_utc_timestamps():
    month = month_with_31_days()
    make_report(reporting_terminal(), occurred_at=local(month, 31, 23, 59))
    archive_month_run(month=month)
    (row,) = archive_read(month=month)
    assert row["occurred_at"].utcoffset().total_seconds() == 0
    assert row["occurred_at"] == local(month, 31, 23, 59)


def test_the_card_is_kept_only_as_stored_masked_and_tokenised():
    month = month_with_31_days()
    make_report(reporting_terminal(), occurred_at=local(month, 2), card_token="tok-abc")
    archive_month_run(month=month)
    (row,) = archive_read(month=month)
    assert row["masked_pan"] == "622848******0000"
    assert row["card_token"] == "tok-abc"
    assert not [name for name in SCHEMA.names if "pan" in name and name != "masked_pan"]


def test_a_month_with_more_rows_than_a_batch_is_written_in_row_groups():
    month = month_with_31_days()
    terminal = reporting_terminal()
    reports_in(month, 23, terminal)

    archive_month = archive_month_export(month=month, batch_rows=5)

    (archive_file,) = archive_month.files.all()
    parquet = pq.ParquetFile(files.absolute(archive_file.path))
    assert parquet.metadata.num_row_groups == 5  # 5 + 5 + 5 + 5 + 3
    assert parquet.metadata.num_rows == 23 == archive_file.row_count


def test_each_merchant_gets_its_own_file_ordered_by_time():
    month = month_with_31_days()
    a, b = reporting_terminal(), reporting_terminal()
    reports_in(month, 4, a)
    reports_in(month, 3, b)

    archive_month = archive_month_export(month=month, batch_rows=2)

    by_merchant = {f.merchant_id: f for f in archive_month.files.all()}
    assert {m: f.row_count for m, f in by_merchant.items()} == {
        a.merchant_id: 4,
        b.merchant_id: 3,
    }
    table = pq.read_table(files.absolute(by_merchant[a.merchant_id].path))
    times = table.column("occurred_at").to_pylist()
    assert times == sorted(times)
    assert set(table.column("merchant_id").to_pylist()) == {a.merchant_id}


def test_the_manifest_lists_schema_rows_checksums_and_times():
    month = month_with_31_days()
    terminal = reporting_terminal()
    reports_in(month, 3, terminal)
    archive_month = archive_month_export(month=month)

    manifest_path = files.absolute(f"{archive_month.directory}/{files.MANIFEST}")
    manifest = json.loads(manifest_path.read_text())
    (entry,) = manifest["files"]
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["columns"]["amount"] == "decimal128(10, 2)"
    assert manifest["row_count"] == 3 == entry["rows"]
    assert entry["sha256"] == files.sha256_of(files.absolute(entry["path"]))
    assert manifest["created_by"] == "system" and manifest["created_at"]
    assert manifest["min_occurred_at"] <= manifest["max_occurred_at"]
    assert archive_month.manifest_sha256 == files.sha256_of(manifest_path)


def _accepted(month, **fields) -> Report:
    """A report of ``month`` with an accepted decision (``fields`` over its defaults)."""
    report = make_report(reporting_terminal(), occurred_at=local(month, 4))
    Decision.objects.create(
        report=report,
        merchant=report.merchant,
        terminal=report.terminal,
        outcome="accept",
        **({"state_source": "database", "duration_us": 120} | fields),
    )
    return report


def test_the_decision_goes_into_the_archive_with_its_report():
    month = month_with_31_days()
    report = _accepted(month)
    archive_month_run(month=month)

    (row,) = archive_read(month=month)
    assert json.loads(row["decision"])["outcome"] == "accept"
    assert not Decision.objects.filter(report_id=report.pk).exists()
    assert not Report.objects.filter(pk=report.pk).exists()


def test_a_decision_sharing_its_batchs_check_records_is_archived_with_them():
    month = month_with_31_days()
    records = [{"code": "mcc_mismatch", "action": "hold", "us": 3}]
    _accepted(month, shared_checks=CheckRecords.objects.create(records=records))
    archive_month_run(month=month)

    (row,) = archive_read(month=month)
    assert json.loads(row["decision"])["checks"] == records


def test_writing_then_verifying_then_purging_goes_through_the_workflow():
    month = month_with_31_days()
    reports_in(month, 2)
    archive_month, problems = archive_month_run(month=month)
    assert problems == []
    assert archive_month.status == ArchiveStatus.PURGED
    steps = list(archive_month.transitions.values_list("from_status", "to_status"))
    assert steps == [("exported", "verified"), ("verified", "purged")]
    assert archive_month.purged_rows == 2 and archive_month.kept_hot == 0


def test_a_month_is_archived_once():
    month = month_with_31_days()
    reports_in(month, 1)
    archive_month_export(month=month)
    with pytest.raises(MonthError, match="already archived"):
        archive_month_export(month=month)
