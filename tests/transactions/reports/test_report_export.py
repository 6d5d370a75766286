"""Exports of the filtered report list: CSV streamed, Excel from a temporary file, both safe."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from portal.common import exports
from portal.common.exports import safe_cell, write_xlsx
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report, make_reports, signed_in_shop
from transactions.models import Hold

pytestmark = pytest.mark.django_db

CSV_URL = reverse("transactions:report_export_csv")
XLSX_URL = reverse("transactions:report_export_xlsx")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shop(client) -> dict[str, Any]:
    return signed_in_shop(client)


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads the UTF-8 (Chinese) right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response: Any) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.active.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain", "plain"),
        (Decimal("-5.00"), Decimal("-5.00")),  # numbers stay numbers
    ],
)
def test_safe_cell_neutralises_formulas(value, safe):
    assert safe_cell(value) == safe


def test_csv_is_streamed_with_header_and_local_times(client, shop):
    at = datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
    report = make_report(
        shop["terminal"], occurred_at=at, amount=Decimal("128.50"), rrn="331234567890"
    )
    response = client.get(CSV_URL)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, row = _csv(response)
    assert header[:3] == ["Id", "Time (Beijing)", "TID"]
    assert row[0] == str(report.pk)
    assert row[1] == "2026-03-01 23:30:00"
    assert "128.50" in row and "331234567890" in row and "Credit card" in row


def test_csv_follows_the_filters_and_the_sort(client, shop):
    _r1, r2, r3 = make_reports(shop["terminal"], 3)
    rows = _csv(client.get(CSV_URL, {"amount_min": "2", "sort": "amount_asc"}))[1:]
    assert [int(r[0]) for r in rows] == [r2.pk, r3.pk]


def test_csv_has_every_row_not_one_page(client, shop):
    make_reports(shop["terminal"], 120)
    assert len(_csv(client.get(CSV_URL))) == 121


def test_csv_neutralises_formula_cells(client, shop):
    make_report(shop["terminal"], batch_no="=1+2", auth_code="@SUM")
    header, row = _csv(client.get(CSV_URL))
    assert row[header.index("Batch number")] == "'=1+2"
    assert row[header.index("Authorisation code")] == "'@SUM"


def test_export_never_has_a_full_card_number(client, shop):
    make_report(shop["terminal"], masked_pan="622848******1234")
    header, row = _csv(client.get(CSV_URL))
    assert row[header.index("Card (masked)")] == "622848******1234"
    assert not any(cell.isdigit() and len(cell) >= 13 for cell in row)


def test_csv_says_which_reports_are_held(client, shop):
    held, _free = make_reports(shop["terminal"], 2)
    Hold.objects.create(alert=AlertFactory(merchant=shop["merchant"]), report=held, reason="x")
    header, *rows = _csv(client.get(CSV_URL, {"sort": "time_asc"}))
    column = header.index("Held")
    assert [r[column] for r in rows] == ["Yes", "No"]


def test_xlsx_has_the_same_rows_as_typed_cells(client, shop):
    at = datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
    report = make_report(
        shop["terminal"], occurred_at=at, amount=Decimal("128.50"), trace_no="000123"
    )
    response = client.get(XLSX_URL)
    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    header, row = _xlsx(response)
    assert header[1] == "Time (Beijing)"
    assert row[0] == report.pk
    assert row[1] == datetime(2026, 3, 1, 23, 30)  # Beijing wall time, no tzinfo
    assert row[header.index("Amount")] == pytest.approx(128.5)
    assert row[header.index("Trace number")] == "000123"  # text: leading zeros kept


def test_xlsx_neutralises_formula_cells(client, shop):
    make_report(shop["terminal"], batch_no="=1+2", auth_code="-2+3")
    header, row = _xlsx(client.get(XLSX_URL))
    assert row[header.index("Batch number")] == "'=1+2"
    assert row[header.index("Authorisation code")] == "'-2+3"


def test_xlsx_follows_the_filters(client, shop):
    hit = make_report(shop["terminal"], method="wechat", masked_pan="")
    make_report(shop["terminal"])
    rows = _xlsx(client.get(XLSX_URL, {"method": "wechat"}))[1:]
    assert [r[0] for r in rows] == [hit.pk]


def test_exports_have_only_own_reports(client, shop):
    mine = make_report(shop["terminal"])
    make_report(reporting_terminal())
    assert [int(r[0]) for r in _csv(client.get(CSV_URL))[1:]] == [mine.pk]
    assert [r[0] for r in _xlsx(client.get(XLSX_URL))[1:]] == [mine.pk]


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_export_with_another_merchants_terminal_is_refused(client, shop, url):
    foreign = reporting_terminal()
    make_report(foreign)
    response = client.get(url, {"terminal": foreign.pk})
    assert response.status_code == 400
    assert "terminal" in response.context["form"].errors


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_export_with_bad_filters_shows_the_errors(client, shop, url):
    response = client.get(url, {"date_from": "2026-13-01", "amount_min": "x"})
    assert response.status_code == 400
    assert {"date_from", "amount_min"} <= set(response.context["form"].errors)


def test_export_needs_a_membership(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(CSV_URL).status_code == 403


# The workbook writer


def _written(rows: list[list[Any]], **kwargs: Any) -> list[tuple[Any, ...]]:
    out = io.BytesIO()
    write_xlsx(out, ["header"], rows, **kwargs)
    out.seek(0)
    return list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))[1:]


def test_writer_escapes_text_and_drops_characters_xml_forbids():
    [row] = _written([["a<b & c>", "  padded ", "bell\x07", "报备"]])
    assert row == ("a<b & c>", "  padded ", "bell", "报备")


def test_writer_names_columns_past_z():
    [row] = _written([list(range(30))])
    assert row == tuple(range(30))


def test_writer_keeps_types():
    [row] = _written([[Decimal("12.50"), 7, True, datetime(2026, 3, 1, 23, 30, 5), None, "x"]])
    assert row == (12.5, 7, True, datetime(2026, 3, 1, 23, 30, 5), None, "x")


def test_writer_stops_at_the_sheet_row_limit(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    assert len(_written([[n] for n in range(10)])) == 2  # the header and two rows
