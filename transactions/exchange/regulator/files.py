"""A report's figures as files: an Excel workbook (a sheet per section) and a zip of CSV files.

Both are written from the figures as stored (``sections.Section``), in the active language for
the values, with every header in both languages (“中文 / English”). The first sheet (and
``about.csv``) says what the report is: kind, period, time zone, when and for whom. An empty
section is a header and one row that says there is no data for the period, never a blank sheet.

CSV: one file per section in a zip, rather than one long-format file (section, dimension, measure,
value): the risk-merchant list is a table of text, not measures, and each file opens in a
spreadsheet as the sheet of the same name does. UTF-8 with a BOM (Excel reads the Chinese).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext

from portal.common.exports import safe_cell, xlsx_cell
from transactions.exchange.regulator.sections import Section, bilingual, rendered_rows

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# (English msgid, value) lines of the about sheet.
About = Sequence[tuple[str, Any]]


def _header(section: Section) -> list[str]:
    return [bilingual(column.label) for column in section.columns]


def _sheet_names(sections: Sequence[Section]) -> list[str]:
    names: list[str] = []
    for index, section in enumerate(sections, start=1):
        name = _SHEET_FORBIDDEN.sub(" ", f"{index} {gettext(section.title)}")[:31].strip()
        names.append(name)
    return names


def write_xlsx_report(out: IO[bytes], *, about: About, sections: Sequence[Section]) -> None:
    """The workbook: an about sheet, then one sheet per section (header on row 1)."""
    workbook = xlsxwriter.Workbook(
        out,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(gettext("About")[:31])
    for row, (label, value) in enumerate(about):
        sheet.write_string(row, 0, bilingual(label), bold)
        sheet.write(row, 1, xlsx_cell(value))
    sheet.set_column(0, 1, 40)
    for name, section in zip(_sheet_names(sections), sections, strict=True):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, _header(section), bold)
        for index, values in enumerate(rendered_rows(section), start=1):
            sheet.write_row(index, 0, [xlsx_cell(v) for v in values])
        sheet.set_column(0, len(section.columns) - 1, 18)
        sheet.freeze_panes(1, 0)
    workbook.close()


def _csv_bytes(header: list[str] | None, rows: Sequence[Sequence[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    if header is not None:
        writer.writerow(header)
    writer.writerows([[safe_cell(_csv_value(v)) for v in row] for row in rows])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def csv_names(sections: Sequence[Section]) -> list[str]:
    """The file of each section in the zip: its number and code (ASCII, stable across languages)."""
    return [f"{index:02d}-{section.code}.csv" for index, section in enumerate(sections, start=1)]


def write_csv_zip(out: IO[bytes], *, about: About, sections: Sequence[Section]) -> None:
    """The zip: ``00-about.csv``, then ``NN-<section>.csv`` per section."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00-about.csv", _csv_bytes(None, [[bilingual(k), v] for k, v in about]))
        for name, section in zip(csv_names(sections), sections, strict=True):
            archive.writestr(name, _csv_bytes(_header(section), rendered_rows(section)))
