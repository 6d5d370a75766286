"""The report list's archive path: the same filters, asked of the merchant's archived months.

Slower than the list (the files are read, and checked, on each search), so it runs only when the
merchant ticks "Include archived months", and the page says so. Status and hold filters are
about the hot table's links (alerts, amendments, settlement, holds): a report with any of them
stays in the hot table, so those filters are not asked of the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from merchants.models import Merchant
from transactions.archive.selectors import ArchiveQuery, ArchiveSearch, archive_search
from transactions.models import PaymentMethod, ReportType, Source
from transactions.reports.filters import SORTS, ReportFilters, search_kind


@dataclass(frozen=True)
class ArchivedRow:
    """An archived report as the list shows it (labels in the reader's language, Beijing time)."""

    occurred_at: datetime
    tid: str
    type: str
    method: str
    amount: Decimal
    rrn: str
    trace_no: str
    masked_pan: str
    source: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> ArchivedRow:
        return cls(
            occurred_at=timezone.localtime(row["occurred_at"]),
            tid=row["tid"],
            type=_label(ReportType, row["type"]),
            method=_label(PaymentMethod, row["method"]),
            amount=row["amount"],
            rrn=row["rrn"],
            trace_no=row["trace_no"],
            masked_pan=row["masked_pan"],
            source=_label(Source, row["source"]),
        )


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def archive_query(filters: ReportFilters) -> ArchiveQuery:
    """The filters that apply to archived rows, as the archive's query."""
    kind = search_kind(filters.q) if filters.q else ""
    column, descending = SORTS.get(filters.sort, SORTS["time_desc"])
    return ArchiveQuery(
        date_from=filters.date_from,
        date_to=filters.date_to,
        tid=filters.terminal.tid if filters.terminal is not None else "",
        method=filters.method,
        type=filters.type,
        amount_min=filters.amount_min,
        amount_max=filters.amount_max,
        last4=filters.q if kind == "last4" else "",
        trace_no=filters.q if kind == "trace" else "",
        rrn=filters.q if kind == "rrn" else "",
        rrn_end=filters.rrn_end,
        descending=descending,
        by_amount=column == "amount",
    )


def archived_reports(*, merchant: Merchant, filters: ReportFilters) -> ArchiveSearch | None:
    """The merchant's archived reports for ``filters``; None when not asked or not applicable."""
    if not filters.archived or filters.status or filters.held:
        return None
    found = archive_search(merchant=merchant, query=archive_query(filters))
    found.rows = [ArchivedRow.of(row) for row in found.rows]
    return found
