"""Reading a CSV exported from the risk information system: one entry per row, each checked.

Columns (the first line names them, in any order, case ignored): ``kind`` (``uscc``,
``id_number`` or ``mid``), ``value``, ``list`` (or ``source``: which list of the system), and
optionally ``reason`` and ``listed_on`` (YYYY-MM-DD). UTF-8, with or without a byte-order mark
(Excel writes one). A bad row is reported by its line number and the others are kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from merchants.models import RiskListKind
from portal.common.crypto import id_number_digest
from portal.common.masking import mask_id_number
from portal.common.validators import validate_mid, validate_resident_id, validate_uscc

MAX_BYTES = 10 * 1024 * 1024
REQUIRED = ("kind", "value")
SOURCE_COLUMNS = ("list", "source")
KINDS = {
    "uscc": RiskListKind.USCC,
    "id_number": RiskListKind.ID_NUMBER,
    "id": RiskListKind.ID_NUMBER,
    "mid": RiskListKind.MID,
}


@dataclass(frozen=True)
class Row:
    """A valid row, as stored: ``value`` is the ID number's keyed hash for an ID number."""

    line: int
    kind: str
    value: str
    shown: str
    source: str
    reason: str
    listed_on: date | None


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class FileRefused(ValueError):
    """The file as a whole cannot be read (not UTF-8, too large, no header with the columns)."""


def read_rows(data: bytes, *, default_source: str = "") -> Iterator[Row | RowError]:
    """Each data row of the file as a :class:`Row` or a :class:`RowError`.

    Raises :class:`FileRefused` before any row when the file cannot be read at all.
    """
    if len(data) > MAX_BYTES:
        raise FileRefused(_("The file is larger than 10 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("The file is not UTF-8 text.")) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if not all(column in headers for column in REQUIRED):
        raise FileRefused(
            _("The first line must name the columns: kind, value, list, reason, listed_on.")
        )
    reader.fieldnames = headers
    for row in reader:
        line = reader.line_num
        fields = {key: (value or "").strip() for key, value in row.items() if key}
        if not any(fields.values()):
            continue  # a blank line, as spreadsheets leave at the end
        try:
            yield _row(line, fields, default_source)
        except ValidationError as exc:
            yield RowError(line, " ".join(exc.messages))


def _row(line: int, fields: dict[str, str], default_source: str) -> Row:
    kind = KINDS.get(fields.get("kind", "").lower())
    if kind is None:
        raise ValidationError(
            _("Unknown kind “%(kind)s”: use uscc, id_number or mid.") % {"kind": fields["kind"]}
        )
    raw = fields.get("value", "")
    if not raw:
        raise ValidationError(_("The value is empty."))
    source = next((fields[c] for c in SOURCE_COLUMNS if fields.get(c)), default_source)
    if not source:
        raise ValidationError(_("Name the list the entry comes from (the list column)."))
    if len(source) > 100:
        raise ValidationError(_("The list's name is longer than 100 characters."))
    value, shown = _value(kind, raw)
    return Row(
        line=line,
        kind=kind,
        value=value,
        shown=shown,
        source=source,
        reason=fields.get("reason", "")[:300],
        listed_on=_listed_on(fields.get("listed_on", "")),
    )


def _value(kind: str, raw: str) -> tuple[str, str]:
    """(stored value, shown form); an ID number is never echoed back, even when wrong."""
    if kind == RiskListKind.USCC:
        code = uscc.compact(raw)
        validate_uscc(code)
        return code, code
    if kind == RiskListKind.ID_NUMBER:
        number = ric.compact(raw).upper()
        validate_resident_id(number)
        return id_number_digest(number), mask_id_number(number)
    validate_mid(raw)
    return raw, raw


def _listed_on(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": raw[:20]}
        ) from None
