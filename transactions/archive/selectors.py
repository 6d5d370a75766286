"""Reading the archive back: for operators (``read_archive``) and the merchant's report search.

Each read checks the files' checksums first (``verify.py``): a file that fails is reported, its
month marked damaged, and nothing of it is shown. Filters are pushed down to the Parquet reader
(row groups whose statistics cannot match are skipped); the merchant's search opens only the
merchant's own files and filters on its id again inside them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.utils.translation import gettext as _

from merchants.models import Merchant
from portal.common.beijing import day_bounds, month_bounds
from transactions.archive import files
from transactions.archive.schema import SCHEMA_VERSION
from transactions.archive.verify import archive_month_verify
from transactions.models import (
    READABLE_STATUSES,
    ArchiveFile,
    ArchiveMonth,
    ArchiveStatus,
    Report,
)

SEARCH_LIMIT = 200


class ArchiveUnreadable(Exception):
    """The month is not archived, or its files failed their check; the message says which."""


def _readable_files(
    archive_month: ArchiveMonth, merchant_id: int | None
) -> tuple[list[ArchiveFile], list[str]]:
    """The month's files (of one merchant), verified now; and the problems of those that failed."""
    candidates = list(archive_month.files.filter(deleted_at__isnull=True).order_by("merchant_id"))
    if merchant_id is not None:
        candidates = [f for f in candidates if f.merchant_id == merchant_id]
    if not candidates:
        return [], []
    problems = archive_month_verify(archive_month=archive_month, files_only=candidates)
    bad = {p.path for p in problems}
    return [f for f in candidates if f.path not in bad], [str(p) for p in problems]


def archive_read(
    *, month: date, merchant: Merchant | None = None, rrn: str = ""
) -> Iterator[dict[str, Any]]:
    """The archived reports of ``month`` (of one merchant, with one RRN), oldest first per file.

    Raises :class:`ArchiveUnreadable` when the month is not archived, is damaged, or one of the
    files to read fails its check now.
    """
    archive_month = ArchiveMonth.objects.filter(month=month).first()
    if archive_month is None:
        raise ArchiveUnreadable(_("%(month)s is not archived.") % {"month": f"{month:%Y-%m}"})
    if archive_month.status not in READABLE_STATUSES:
        raise ArchiveUnreadable(
            _("%(month)s cannot be read: %(status)s.")
            % {"month": f"{month:%Y-%m}", "status": archive_month.get_status_display()}
        )
    if archive_month.schema_version != SCHEMA_VERSION:
        raise ArchiveUnreadable(
            _("%(month)s was written with another schema version.") % {"month": f"{month:%Y-%m}"}
        )
    readable, problems = _readable_files(archive_month, merchant.pk if merchant else None)
    if problems:
        raise ArchiveUnreadable(
            _("The archive of %(month)s failed its check: %(problems)s")
            % {"month": f"{month:%Y-%m}", "problems": "; ".join(problems)}
        )
    condition = pc.field("rrn") == rrn if rrn else None
    for archive_file in readable:
        parquet = pq.ParquetFile(files.absolute(archive_file.path))
        for batch in parquet.iter_batches(batch_size=10_000):
            table = pa.Table.from_batches([batch])
            if condition is not None:
                table = table.filter(condition)
            yield from table.to_pylist()


@dataclass(frozen=True)
class ArchiveQuery:
    """What the merchant's report search asks of the archive (the filters that apply to it)."""

    date_from: date | None = None
    date_to: date | None = None
    tid: str = ""
    method: str = ""
    type: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    last4: str = ""
    trace_no: str = ""
    rrn: str = ""
    rrn_end: str = ""
    descending: bool = True
    by_amount: bool = False


@dataclass
class ArchiveSearch:
    rows: list[dict[str, Any]] = field(default_factory=list)
    months: int = 0
    truncated: bool = False
    unreadable: list[str] = field(default_factory=list)


def _condition(merchant_id: int, query: ArchiveQuery, start: datetime, end: datetime) -> Any:
    expression = (
        (pc.field("merchant_id") == merchant_id)
        & (pc.field("occurred_at") >= pa.scalar(start, pa.timestamp("us", tz="UTC")))
        & (pc.field("occurred_at") < pa.scalar(end, pa.timestamp("us", tz="UTC")))
    )
    equal = {"tid": query.tid, "method": query.method, "type": query.type}
    equal |= {"trace_no": query.trace_no, "rrn": query.rrn}
    for column, value in equal.items():
        if value:
            expression &= pc.field(column) == value
    money = pa.decimal128(10, 2)
    if query.amount_min is not None:
        expression &= pc.field("amount") >= pa.scalar(query.amount_min, money)
    if query.amount_max is not None:
        expression &= pc.field("amount") <= pa.scalar(query.amount_max, money)
    if query.last4:
        expression &= pc.ends_with(pc.field("masked_pan"), pattern=query.last4) & (
            pc.field("masked_pan") != ""
        )
    if query.rrn_end:
        expression &= pc.ends_with(pc.field("rrn"), pattern=query.rrn_end)
    return expression


def _months_in_range(merchant: Merchant, query: ArchiveQuery) -> Any:
    months = ArchiveMonth.objects.filter(
        status__in=(*READABLE_STATUSES, ArchiveStatus.DAMAGED),
        files__merchant=merchant,
        files__deleted_at__isnull=True,
    )
    if query.date_from:
        months = months.filter(month__gte=query.date_from.replace(day=1))
    if query.date_to:
        months = months.filter(month__lte=query.date_to)
    return months.distinct().order_by("-month" if query.descending else "month")


# What the list shows of an archived row, and what it sorts and filters by.
LIST_COLUMNS = [
    "id",
    "merchant_id",
    "occurred_at",
    "tid",
    "type",
    "method",
    "amount",
    "rrn",
    "trace_no",
    "masked_pan",
    "source",
]


def _best_rows(
    table: pa.Table, *, hot_ids: list[int], key: str, descending: bool, limit: int
) -> pa.Table:
    """The table without rows still hot, sorted, cut to ``limit`` rows (in Arrow, not Python)."""
    if hot_ids:
        table = table.filter(
            pc.invert(pc.is_in(table.column("id"), value_set=pa.array(hot_ids, pa.int64())))
        )
    order = "descending" if descending else "ascending"
    return table.sort_by([(key, order), ("id", order)]).slice(0, limit + 1)


def archive_search(
    *, merchant: Merchant, query: ArchiveQuery, limit: int = SEARCH_LIMIT
) -> ArchiveSearch:
    """The merchant's archived reports matching ``query``, at most ``limit``, in its order.

    Only the merchant's own files are opened. Rows still in the hot table (kept there because
    something refers to them) are left out: the hot list shows them already. Sorted by time,
    the months are read newest (or oldest) first and the search stops once it has enough;
    sorted by amount, every month in range is read, keeping the best ``limit`` rows.
    """
    result = ArchiveSearch()
    key = "amount" if query.by_amount else "occurred_at"
    rows: list[dict[str, Any]] = []
    for archive_month in _months_in_range(merchant, query):
        result.months += 1
        if archive_month.status == ArchiveStatus.DAMAGED:
            result.unreadable.append(f"{archive_month.month:%Y-%m}")
            continue
        start, end = month_bounds(archive_month.month)
        if query.date_from:
            start = max(start, day_bounds(query.date_from)[0])
        if query.date_to:
            end = min(end, day_bounds(query.date_to)[1])
        readable, problems = _readable_files(archive_month, merchant.pk)
        if problems:
            result.unreadable.append(f"{archive_month.month:%Y-%m}")
        condition = _condition(merchant.pk, query, start, end)
        # Rows kept in the hot table are listed there: left out here (few, read by index).
        month_start, month_end = month_bounds(archive_month.month)
        hot_ids = list(
            Report.objects.filter(
                merchant=merchant, occurred_at__gte=month_start, occurred_at__lt=month_end
            ).values_list("pk", flat=True)
        )
        for archive_file in readable:
            table = pq.read_table(
                files.absolute(archive_file.path), columns=LIST_COLUMNS, filters=condition
            )
            best = _best_rows(
                table, hot_ids=hot_ids, key=key, descending=query.descending, limit=limit
            )
            rows.extend(best.to_pylist())
        rows.sort(key=lambda row: (row[key], row["id"]), reverse=query.descending)
        if len(rows) > limit:
            result.truncated = True
            rows = rows[:limit]
            if not query.by_amount:
                break
    result.rows = rows
    return result
