"""The acquirer's column mapping, and reading one row of its file into our fields.

A mapping names, for each of our fields, the header of the acquirer's column. Parsing is the hot
loop of a million-line import: column positions are resolved once per file, and each row is
checked with precompiled patterns and C-level parsers (``fromisoformat``, ``Decimal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.beijing import SHANGHAI
from transactions.ingest.files import excel_text

FIELDS: dict[str, Any] = {
    "settlement_date": gettext_lazy("settlement date"),
    "mid": gettext_lazy("MID"),
    "tid": gettext_lazy("TID"),
    "rrn": gettext_lazy("RRN"),
    "trace_no": gettext_lazy("trace number"),
    "batch_no": gettext_lazy("batch number"),
    "amount": gettext_lazy("amount"),
    "fee": gettext_lazy("fee"),
    "masked_pan": gettext_lazy("card number (masked)"),
    "occurred_at": gettext_lazy("transaction time"),
    "type": gettext_lazy("type"),
}
# The headers of a typical Chinese acquirer's settlement file, mapped to every field: the example of
# docs/reconciliation.md, and the demo acquirer's, the tests' and the benchmark's mapping.
EXAMPLE_MAPPING = {
    "settlement_date": "清算日期",
    "mid": "商户号",
    "tid": "终端号",
    "rrn": "参考号",
    "trace_no": "流水号",
    "batch_no": "批次号",
    "amount": "交易金额",
    "fee": "手续费",
    "masked_pan": "卡号",
    "occurred_at": "交易时间",
    "type": "交易类型",
}
REQUIRED = ("settlement_date", "mid", "tid", "amount")
TYPES = ("sale", "refund", "void", "preauth", "preauth_completion")
# Identifiers of a fixed width. Excel keeps a column typed as number without its leading zeros
# (trace 000123 becomes 123): such a number is put back to its width. A cell typed as text is
# read as it is, as in a CSV.
IDENTIFIER_WIDTHS = {"mid": 15, "tid": 8, "rrn": 12, "trace_no": 6, "batch_no": 6}

_MID = re.compile(r"^[0-9A-Za-z]{15}$")
_TID = re.compile(r"^[0-9A-Za-z]{8}$")
_RRN = re.compile(r"^[0-9A-Za-z]{1,12}$")
_SHORT = re.compile(r"^[0-9A-Za-z]{1,6}$")
_PAN = re.compile(r"^[0-9]{6}\*{2,9}[0-9]{4}$")
_AMOUNT = re.compile(r"^-?[0-9]{1,10}(\.[0-9]{1,2})?$")


def validate_mapping(mapping: Any) -> None:
    """Refuse a mapping that cannot work: unknown fields, missing required ones, no match key."""
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in mapping.items()
    ):
        raise ValidationError(_("The mapping is an object of field name → column header."))
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s. Known: %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise ValidationError(
            _("Required fields missing: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    if "rrn" not in mapping and "trace_no" not in mapping:
        raise ValidationError(_("Map rrn or trace_no: lines are matched by them."))
    headers = [v.strip().lower() for v in mapping.values()]
    if len(set(headers)) != len(headers):
        raise ValidationError(_("Two fields are mapped to the same column."))


@dataclass(slots=True)
class ParsedLine:
    line_no: int
    settlement_date: date
    mid: str
    tid: str
    rrn: str
    trace_no: str
    batch_no: str
    amount: Decimal
    fee: Decimal | None
    masked_pan: str
    occurred_at: datetime | None
    type: str
    day: date


class RowParser:
    """Reads rows of one file with one acquirer's mapping; built from the file's header row."""

    def __init__(self, acquirer: Any, header: list[str]) -> None:
        mapping: dict[str, str] = acquirer.column_mapping
        validate_mapping(mapping)
        names = [h.strip().lower() for h in header]
        missing = [v for v in mapping.values() if v.strip().lower() not in names]
        if missing:
            raise ValidationError(
                _("Columns missing from the file: %(columns)s.") % {"columns": ", ".join(missing)}
            )
        self._positions = {
            field: names.index(col.strip().lower()) for field, col in mapping.items()
        }
        self.width = max(self._positions.values()) + 1
        self._widths = {
            self._positions[field]: width
            for field, width in IDENTIFIER_WIDTHS.items()
            if field in self._positions
        }
        self._dates: dict[str, date] = {}
        self.type_values = {str(k).strip(): v for k, v in (acquirer.type_values or {}).items()}
        self.date_format = acquirer.date_format
        self.time_format = acquirer.time_format

    def excel_cells(self, values: list[Any]) -> list[str]:
        """A workbook row as the text cells ``parse`` reads; identifiers typed as numbers padded."""
        cells = []
        for position, value in enumerate(values):
            width = self._widths.get(position)
            if width and _is_whole_number(value):
                cells.append(str(int(value)).zfill(width))
            else:
                cells.append(excel_text(value))
        return cells

    def parse(
        self, line_no: int, cells: list[str]
    ) -> tuple[ParsedLine | None, dict[str, list[str]]]:
        """The line, or None and the reasons by field. Cells arrive stripped (see the importer)."""
        errors: dict[str, list[str]] = {}
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        at = self._positions
        settlement_date = self._date(cells[at["settlement_date"]], errors)
        mid = self._match(_MID, "mid", cells[at["mid"]], errors, required=True)
        tid = self._match(_TID, "tid", cells[at["tid"]], errors, required=True)
        rrn = self._match(_RRN, "rrn", self._cell(cells, "rrn"), errors)
        trace_no = self._match(_SHORT, "trace_no", self._cell(cells, "trace_no"), errors)
        batch_no = self._match(_SHORT, "batch_no", self._cell(cells, "batch_no"), errors)
        if not rrn and not trace_no and "rrn" not in errors and "trace_no" not in errors:
            errors["rrn"] = [_("Either an RRN or a trace number is needed.")]
        amount = self._amount("amount", cells[at["amount"]], errors, required=True)
        fee = self._amount("fee", self._cell(cells, "fee"), errors)
        masked_pan = self._cell(cells, "masked_pan")
        if masked_pan and not _PAN.match(masked_pan):
            errors["masked_pan"] = [_("Expected a masked card number such as 622848******1234.")]
        occurred_at = self._time(self._cell(cells, "occurred_at"), errors)
        kind = self._cell(cells, "type")
        stored_type = self.stored_type(kind) if kind else ""
        if stored_type is None:
            errors["type"] = [_("Unknown transaction type.")]
        if errors:
            return None, errors
        assert settlement_date is not None and amount is not None and stored_type is not None
        day = occurred_at.date() if occurred_at else settlement_date
        return (
            ParsedLine(
                line_no, settlement_date, mid, tid.upper(), rrn, trace_no, batch_no, amount, fee,
                masked_pan, occurred_at, stored_type, day,
            ),
            {},
        )  # fmt: skip

    def stored_type(self, kind: str) -> str | None:
        """The type a (non-empty) type cell stands for, by the acquirer's words or ours; None
        when it is neither."""
        value = self.type_values.get(kind) or kind.lower()
        return value if value in TYPES else None

    def _cell(self, cells: list[str], field: str) -> str:
        position = self._positions.get(field)
        return cells[position] if position is not None else ""

    @staticmethod
    def _match(
        pattern: re.Pattern[str], field: str, value: str, errors: dict, *, required: bool = False
    ) -> str:
        if not value:
            if required:
                errors[field] = [_("This field is required.")]
            return ""
        if not pattern.match(value):
            errors[field] = [_("Not a valid %(field)s.") % {"field": FIELDS[field]}]
            return ""
        return value

    @staticmethod
    def _amount(field: str, value: str, errors: dict, *, required: bool = False) -> Decimal | None:
        if not value:
            if required:
                errors[field] = [_("This field is required.")]
            return None
        value = value.replace(",", "")
        if not _AMOUNT.match(value):
            errors[field] = [_("Not an amount in yuan such as 128.50.")]
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            errors[field] = [_("Not an amount in yuan such as 128.50.")]
            return None

    def _date(self, value: str, errors: dict) -> date | None:
        # A file holds a handful of dates: each text is parsed once.
        known = self._dates.get(value)
        if known is not None:
            return known
        if not value:
            errors["settlement_date"] = [_("This field is required.")]
            return None
        try:
            if self.date_format:
                parsed = datetime.strptime(value, self.date_format).date()
            elif len(value) <= 10:
                parsed = date.fromisoformat(value)
            else:
                # A date with a time of day (an Excel date cell): nothing else may follow it.
                parsed = datetime.fromisoformat(value).date()
        except ValueError:
            errors["settlement_date"] = [_("Not a date in the acquirer's format.")]
            return None
        self._dates[value] = parsed
        return parsed

    def _time(self, value: str, errors: dict) -> datetime | None:
        if not value:
            return None
        try:
            if self.time_format:
                moment = datetime.strptime(value, self.time_format)
            else:
                moment = datetime.fromisoformat(value)
        except ValueError:
            errors["occurred_at"] = [_("Not a time in the acquirer's format.")]
            return None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=SHANGHAI)
        return moment.astimezone(SHANGHAI)


def _is_whole_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
