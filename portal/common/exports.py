"""Streaming CSV and Excel exports that spreadsheets cannot be tricked by."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)
# Rows sent together: one write (and one encode) per few hundred rows, not per row.
CSV_BATCH = 500


def safe_cell(value: Any) -> Any:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    # Called for every cell of a million-row export: a set lookup on the first character.
    if value.__class__ is str:
        return "'" + value if value and value[0] in _FORMULA_FIRST else value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):  # str subclasses
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A CSV download written row by row: memory stays flat however many rows there are."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so that Excel reads UTF-8 (Chinese text) correctly
        yield writer.writerow(header)
        batch: list[str] = []
        for row in rows:
            batch.append(writer.writerow([safe_cell(v) for v in row]))
            if len(batch) == CSV_BATCH:
                yield "".join(batch)
                batch.clear()
        if batch:
            yield "".join(batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_xlsx(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]], *, sheet: str = "Sheet1"
) -> FileResponse:
    """An Excel download built row by row into a temporary file, then streamed.

    XlsxWriter's ``constant_memory`` mode writes each row to the sheet as it comes and keeps
    nothing, and FileResponse sends the file in blocks, so memory stays flat for a million rows
    (bench/README.md, "Report exports"). Excel holds 1,048,576 rows a sheet: rows past that are
    left out (the CSV has them all).
    """
    # No context manager: the file must outlive this function. It has no name on disk and is
    # gone when closed, which FileResponse does once the last block is sent.
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        write_xlsx(out, header, rows, sheet=sheet)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_576
# Control characters other than tab, LF and CR are not allowed in the sheet's XML.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_xlsx(
    out: Any, header: list[str], rows: Iterable[Iterable[Any]], *, sheet: str = "Sheet1"
) -> None:
    """Write a one-sheet workbook: the header, then the rows with their types kept."""
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            # Text stays text: no formulas, links or numbers made out of what a merchant typed.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd hh:mm:ss",
        },
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    worksheet.write_row(0, 0, header)
    for index, row in enumerate(rows, start=1):
        if index == XLSX_MAX_ROWS:
            break
        worksheet.write_row(index, 0, [xlsx_cell(v) for v in row])
    workbook.close()


def xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        # Excel has no time zones: the local (Beijing) wall time, as on the page.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", safe_cell(value))
    return value
