"""A report's sections as data: columns, rows of codes and numbers, read in a reader's language.

The builders (``annual.py``, ``risk_list.py``) return :class:`Section` objects; the record keeps
them as JSON (``RegulatorReport.figures``) and the page and the files render them from there, so
what the admin page shows is what the files hold. Titles and labels are English msgids; values
are codes (a province, a level, a payment method) that :func:`cell` turns into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from merchants.models import RiskLevel, TerminalStatus
from portal.common.regions import PROVINCES
from transactions.models import PaymentMethod, ReportType

NO_DATA = gettext_noop("No data for this period.")
INSPECTION_OUTCOMES = {
    "pass": gettext_noop("Passed"),
    "remediation": gettext_noop("Remediation required"),
    "fail": gettext_noop("Failed"),
}
REASONS = {
    "level_start": gettext_noop("rated %(level)s at the start of the period"),
    "level_change": gettext_noop("rated %(level)s on %(date)s"),
    "alert": gettext_noop("alert #%(alert)s confirmed on %(date)s: %(rule)s"),
}
_PROVINCES = dict(PROVINCES)
_LABELS: dict[str, dict[str, Any]] = {
    "province": _PROVINCES,
    "level": dict(RiskLevel.choices),
    "method": dict(PaymentMethod.choices),
    "type": dict(ReportType.choices),
    "terminal_status": dict(TerminalStatus.choices),
    "outcome": INSPECTION_OUTCOMES,
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English msgid
    # How a value reads: "text", "msgid" (an English text to translate), "count", "amount"
    # (Decimal as text in the JSON), "date" (ISO), "reasons", or a key of _LABELS.
    kind: str = "text"


@dataclass
class Section:
    code: str
    title: str  # English msgid
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": self.rows,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        return cls(
            code=data["code"],
            title=data["title"],
            columns=[Column(**c) for c in data["columns"]],
            rows=data["rows"],
        )


def sections_of(figures: dict[str, Any]) -> list[Section]:
    return [Section.from_json(s) for s in figures.get("sections", [])]


def bilingual(msgid: str, chinese: str | None = None) -> str:
    """A header in both languages: “中文 / English”, or the English alone while untranslated."""
    if chinese is None:
        with translation.override("zh-hans"):
            chinese = gettext(msgid)
    return msgid if chinese == msgid else f"{chinese} / {msgid}"


def cell(column: Column, value: Any) -> Any:
    """``value`` of ``column`` as a reader sees it, in the active language."""
    if value is None or value == "":
        if column.kind in _LABELS:
            return gettext("Unknown")
        return ""
    if column.kind == "count":
        return int(value)
    if column.kind == "amount":
        return Decimal(value)
    if column.kind == "msgid":
        return gettext(value)
    if column.kind == "reasons":
        return "; ".join(reason_text(reason) for reason in value)
    if column.kind in _LABELS:
        label = _LABELS[column.kind].get(value)
        return str(label) if label is not None else str(value)
    return value


def reason_text(reason: dict[str, Any]) -> str:
    """One reason a merchant is on the risk list, in the active language."""
    params = dict(reason)
    if "level" in params:
        params["level"] = str(_LABELS["level"].get(params["level"], params["level"]))
    if "rule" in params:
        params["rule"] = gettext(params["rule"])
    return gettext(REASONS[reason["code"]]) % params


def rendered_rows(section: Section) -> list[list[Any]]:
    """The rows as a reader sees them; an empty section's one row says there is no data."""
    if section.is_empty:
        return [[gettext(NO_DATA)]]
    return [[cell(c, v) for c, v in zip(section.columns, row, strict=True)] for row in section.rows]
