"""The PostgreSQL fast path of a CSV import stores exactly what the Python path stores.

Each file is imported twice, once by each path (the Python path forced by switching the fast
path off), and the stored lines and line errors are compared field by field.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import connection

from portal.common.beijing import SHANGHAI
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import (
    MAPPING,
    AcquirerFactory,
    csv_bytes,
    line_for,
    upload,
)
from transactions.models import FileStatus, SettlementFile, SettlementLine, SettlementLineError
from transactions.reconciliation import fast_csv, importer
from transactions.reconciliation.importer import settlement_file_import
from transactions.reconciliation.services import reconciliation_run

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path uses COPY"),
]

FIELDS = [f.name for f in SettlementLine._meta.fields if f.name not in ("id", "file")]


@pytest.fixture
def report():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001")


def stored(settlement: SettlementFile) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    lines = list(SettlementLine.objects.filter(file=settlement).order_by("line_no").values(*FIELDS))
    errors = {e.line_no: e.errors for e in SettlementLineError.objects.filter(file=settlement)}
    return lines, errors


def both_paths(content: bytes, monkeypatch, **acquirer: Any) -> tuple[Any, Any, SettlementFile]:
    """Import ``content`` by the fast path, then by the Python path; returns both results."""
    kind = AcquirerFactory(**acquirer)
    fast = upload([], content=content, acquirer=kind)
    settlement_file_import(file_id=fast.pk)
    fast_result = stored(fast)
    with monkeypatch.context() as patched:
        patched.setattr(importer, "_fast_path", lambda *args: None)
        slow = upload([], content=content + b"\n", acquirer=kind, name="again.csv")
        settlement_file_import(file_id=slow.pk)
    fast.refresh_from_db()
    return fast_result, stored(slow), fast


def quoted(row: dict[str, str]) -> str:
    return ",".join(f'"{row.get(field, "")}"' for field in MAPPING)


def plain(row: dict[str, str]) -> str:
    return ",".join(row.get(field, "") for field in MAPPING)


def varied_rows(report) -> list[str]:
    """Lines the pattern takes as they are, lines only the validator reads, and bad lines."""
    return [
        plain(line_for(report)),
        plain(line_for(report, rrn=" 331200000002 ", batch_no=" 000001")),  # spaces: stripped
        quoted(line_for(report, rrn="331200000003")),
        plain(line_for(report, rrn="331200000004", tid=report.tid.lower())),  # stored upper
        plain(line_for(report, rrn="331200000005", type="SALE")),
        plain(line_for(report, rrn="331200000006", type="退货", amount="-12.5")),
        plain(line_for(report, rrn="331200000007", occurred_at="", fee="", masked_pan="")),
        plain(line_for(report, rrn="331200000008", occurred_at="2026-01-31T23:59:59")),
        plain(line_for(report, rrn="", trace_no="000123")),
        "",
        ",,,,,,,,,,",
        plain(line_for(report)),  # a duplicate in the file
        plain(line_for(report, rrn="331200000009")) + ",an extra cell",
        quoted(line_for(report, amount="1,234.50", rrn="331200000010")),
        # Bad lines: each reported by the validator with its line and field.
        quoted(line_for(report, amount="12,3x")),
        plain(line_for(report, settlement_date="2026-02-30")),
        plain(line_for(report, occurred_at="2026-02-30 10:00:00")),
        plain(line_for(report, occurred_at="2026-01-31 24:00:00")),
        plain(line_for(report, type="刷卡")),
        plain(line_for(report, rrn="", trace_no="")),
        plain(line_for(report, mid=report.acquirer_mid[:14])),
        plain(line_for(report, masked_pan="6222021234567890128")),
        plain(line_for(report, amount="12345678901.00")),
    ]


def file_of(lines: list[str], newline: str = "\n") -> bytes:
    header = csv_bytes([]).decode().rstrip("\r\n")
    return newline.join([header, *lines]).encode()


def test_the_fast_path_stores_the_lines_the_python_path_stores(report, monkeypatch, caplog):
    with caplog.at_level(logging.INFO, logger="transactions.reconciliation"):
        fast, slow, settlement = both_paths(file_of(varied_rows(report)), monkeypatch)
    assert "settlement import (fast path)" in caplog.text
    assert fast[0] == slow[0]
    assert len(fast[0]) == 12
    assert {line["rrn"] for line in fast[0]} >= {"331200000002", "331200000010"}
    assert settlement.line_count == 12


def test_bad_lines_get_the_same_line_numbered_errors_on_the_fast_path(report, monkeypatch):
    fast, slow, settlement = both_paths(file_of(varied_rows(report)), monkeypatch)
    assert fast[1] == slow[1]
    assert {n: set(e) for n, e in fast[1].items()} == {
        16: {"amount"},
        17: {"settlement_date"},
        18: {"occurred_at"},
        19: {"occurred_at"},
        20: {"type"},
        21: {"rrn"},
        22: {"mid"},
        23: {"masked_pan"},
        24: {"amount"},
    }
    assert settlement.error_count == 9


def test_windows_line_ends_are_numbered_like_the_python_path(report, monkeypatch):
    fast, slow, _settlement = both_paths(file_of(varied_rows(report), newline="\r\n"), monkeypatch)
    assert fast == slow


def test_a_quoted_cell_over_two_lines_hands_the_file_to_the_python_path(
    report, monkeypatch, caplog
):
    rows = [plain(line_for(report)), quoted(line_for(report, rrn="331200000002", type="消\n费"))]
    with caplog.at_level(logging.INFO, logger="transactions.reconciliation.importer"):
        fast, slow, _settlement = both_paths(file_of(rows), monkeypatch)
    assert "Python path reads this file" in caplog.text
    assert fast == slow
    assert set(fast[1]) == {4}  # the record ends on line 4, as csv.reader counts


def test_a_fallback_after_stored_chunks_leaves_one_copy_of_each_line(report, monkeypatch):
    monkeypatch.setattr(fast_csv, "CHUNK_LINES", 2)  # lines 2 and 3+4 are stored first
    rows = [
        plain(line_for(report)),
        plain(line_for(report, amount="x")),
        plain(line_for(report, rrn="331200000002")),
        quoted(line_for(report, rrn="331200000003", type="消\n费")),
    ]
    fast, slow, settlement = both_paths(file_of(rows), monkeypatch)
    assert fast == slow
    assert (settlement.line_count, settlement.error_count) == (2, 2)
    assert set(fast[1]) == {3, 6}


def test_bytes_that_are_not_utf8_fail_the_file_as_before(report):
    lines = [plain(line_for(report, rrn=f"3312{n:08d}")) for n in range(60)]
    content = file_of(lines).replace(b"331200000050", b"3312\xff0000050")
    settlement = upload([], content=content)
    settlement_file_import(file_id=settlement.pk)
    settlement.refresh_from_db()
    assert settlement.status == FileStatus.FAILED
    assert "cannot be read" in settlement.error
    assert not SettlementLine.objects.exists()


def test_an_unknown_time_format_is_read_by_the_python_path(report, monkeypatch):
    at = report.occurred_at.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")
    content = file_of([plain(line_for(report, occurred_at=at))])
    fast, slow, _settlement = both_paths(content, monkeypatch, time_format="%Y%m%d%H%M%S")
    assert fast == slow
    assert fast[0][0]["occurred_at"] == report.occurred_at


def test_a_repeated_line_is_a_duplicate_in_file_after_the_fast_path(report):
    settlement = upload([line_for(report), line_for(report)])
    settlement_file_import(file_id=settlement.pk)
    run = reconciliation_run(file_id=settlement.pk, trigger="test")
    assert (run.matched, run.duplicate_in_file) == (1, 1)


def test_importing_again_keeps_one_copy_of_lines_and_errors(report):
    settlement = upload([line_for(report), line_for(report, amount="x")])
    settlement_file_import(file_id=settlement.pk)
    settlement_file_import(file_id=settlement.pk)
    settlement.refresh_from_db()
    assert (settlement.line_count, settlement.error_count) == (1, 1)
    assert SettlementLine.objects.count() == 1
    assert SettlementLineError.objects.count() == 1


def test_bytes_not_utf8_in_a_column_no_field_reads_fail_the_file_on_both_paths(report, monkeypatch):
    header = csv_bytes([]).decode().rstrip("\r\n") + ",备注"
    lines = [plain(line_for(report, rrn=f"3312{n:08d}")).encode() + b",ok" for n in range(200)]
    # Past the 4 KB the upload sniffs and the 8 KB the header is decoded with; GBK, as some
    # acquirers' remarks are.
    lines[150] = lines[150][:-2] + "退款备注".encode("gbk")
    content = b"\n".join([header.encode(), *lines])
    fast, slow, settlement = both_paths(content, monkeypatch)
    assert fast == slow == ([], {})
    assert settlement.status == FileStatus.FAILED
    assert "cannot be read near line" in settlement.error
    assert not SettlementFile.objects.filter(status=FileStatus.IMPORTED).exists()
