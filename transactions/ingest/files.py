"""Reading batch files (CSV or Excel) row by row, with the line number a person sees.

Columns are the wire field names of shared/API.md. Cells are strings; empty cells are left out;
lat / lng become numbers. Reading streams: an Excel file is opened read-only, a CSV file line by
line, so a large file needs little memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

CSV = "csv"
XLSX = "xlsx"


class FileFormatError(ValueError):
    """The file as a whole cannot be read (not a row-level problem)."""


def sniff_format(head: bytes, name: str) -> str:
    """Judge the file by its bytes: an Excel workbook is a ZIP; a CSV is UTF-8 text."""
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError:
        # A cut multi-byte character at the end of the sample is still text.
        try:
            head[:-3].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileFormatError(
                _("Upload a UTF-8 CSV file or an Excel (.xlsx) workbook.")
            ) from None
    if b"\x00" in head:
        raise FileFormatError(_("Upload a UTF-8 CSV file or an Excel (.xlsx) workbook."))
    return CSV


def batch_file_check(upload: UploadedFile, *, max_bytes: int, too_large: str) -> None:
    """Refuse an upload over ``max_bytes`` (with the caller's ``too_large`` message) or one that
    is neither a UTF-8 CSV file nor an Excel workbook, before anything of it is stored.

    Report batches and settlement files are both read by this module, each under its own limit.
    """
    if upload.size and upload.size > max_bytes:
        raise ValidationError(too_large)
    head = upload.read(4096)
    upload.seek(0)
    try:
        sniff_format(head, upload.name or "")
    except FileFormatError as exc:
        raise ValidationError(str(exc)) from exc


def read_rows(stream: IO[bytes], file_format: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, raw report) for every non-empty data row."""
    rows = _csv_rows(stream) if file_format == CSV else _xlsx_rows(stream)
    header: list[str] | None = None
    for line, cells in rows:
        values = ["" if c is None else str(c).strip() for c in cells]
        if header is None:
            header = [v.strip().lower() for v in values]
            if "report_id" not in header:
                raise FileFormatError(
                    _("The first row must name the columns (report_id, occurred_at, amount, …).")
                )
            continue
        if not any(values):
            continue
        yield line, _raw(header, values)


def _raw(header: list[str], values: list[str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name, value in zip(header, values, strict=False):
        if not name or value == "":
            continue
        if name in ("lat", "lng"):
            try:
                raw[name] = float(value)
            except ValueError:
                raw[name] = value  # validation says what is wrong with it
        else:
            raw[name] = value
    return raw


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileFormatError(
            _("The CSV file cannot be read near line %(line)d.") % {"line": reader.line_num + 1}
        ) from exc


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in excel_rows(stream):
        yield number, [excel_text(c) for c in cells]


def excel_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows as Excel typed them (numbers, dates, text), numbered from 1."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileFormatError(_("The Excel file cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def excel_text(value: Any) -> str:
    """An Excel cell as stripped text: dates in ISO, whole numbers without a decimal point.

    Excel turns times and numbers into its own types; the wire format wants text.
    """
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def discard_upload(instance: Any, field: str = "file") -> None:
    """Delete an uploaded file once it has been read to the end (or refused as a whole).

    What it held lives on only as validated rows and line-numbered results, so a row refused for a
    full card number leaves no copy of it behind in the media storage.
    """
    stored = getattr(instance, field)
    if stored:
        stored.delete(save=False)
        type(instance).objects.filter(pk=instance.pk).update(**{field: ""})
