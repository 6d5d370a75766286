"""Reading a regulator report's files back, as a regulator's spreadsheet would."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook


def workbook_rows(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's rows (values), by sheet name, in order."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [_trimmed(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def _trimmed(row: tuple[Any, ...]) -> list[Any]:
    # read_only mode pads each row to the sheet's width with None.
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def normal(value: Any) -> Any:
    """A cell's value to compare: numbers with decimals as 2-place Decimals (Excel keeps floats)."""
    if isinstance(value, float | Decimal):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return value


def zip_rows(data: bytes) -> dict[str, list[list[str]]]:
    """Every CSV file's rows, by file name, in order (the BOM checked and removed)."""
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            assert text.startswith("\ufeff"), name
            files[name] = list(csv.reader(io.StringIO(text[1:])))
    return files
