"""Keyset pages of a report list: "older" and "newer" by an opaque cursor, never by OFFSET.

An OFFSET page N reads and throws away N×50 rows first, so the last pages of a million-row
merchant are as slow as a full scan. A cursor holds the sort value and pk of the row the page
starts after; the next page is "rows after (value, pk) in this order, LIMIT 51", which the
(merchant, time) and (merchant, amount, id) indexes answer in a few page reads at any depth.

The cursor is signed (``django.core.signing``): a tampered or truncated one is refused with a
clear message instead of reaching the database with a value of the wrong type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from transactions.models import Report
from transactions.reports.filters import SORTS

PAGE_SIZE = 50
SALT = "transactions.report-cursor"


class BadCursor(ValueError):
    """The cursor was not made by us, or not for this sort order."""


@dataclass
class ReportPage:
    reports: list[Report]
    older: str = ""  # cursor of the page after this one in the chosen order ("" if none)
    newer: str = ""  # cursor of the page before it ("" if this is the first page)


def _value(report: Report, column: str) -> str:
    return str(getattr(report, column).isoformat() if column == "occurred_at" else report.amount)


def make_cursor(*, sort: str, report: Report, backwards: bool) -> str:
    column, _descending = SORTS[sort]
    return signing.dumps(
        {"s": sort, "v": _value(report, column), "k": report.pk, "b": backwards},
        salt=SALT,
        compress=True,
    )


def read_cursor(token: str, *, sort: str) -> tuple[Any, int, bool]:
    """The (sort value, pk, backwards) of a cursor; ``BadCursor`` if it is not one of ours."""
    try:
        data = signing.loads(token, salt=SALT)
        if data["s"] != sort:
            raise BadCursor("sort")
        column, _descending = SORTS[sort]
        raw = data["v"]
        value: datetime | Decimal | None
        value = parse_datetime(raw) if column == "occurred_at" else Decimal(raw)
        if value is None:
            raise BadCursor("value")
        return value, int(data["k"]), bool(data["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise BadCursor(str(exc)) from exc


def _after(column: str, descending: bool, value: Any, pk: int) -> Q:
    """Rows strictly after (value, pk) in the order; the plain ``<=``/``>=`` on the column is
    redundant but lets the planner use it as the index condition where the row comparison
    written as an OR would be a filter only."""
    if descending:
        return Q(**{f"{column}__lte": value}) & (
            Q(**{f"{column}__lt": value}) | Q(**{column: value, "pk__lt": pk})
        )
    return Q(**{f"{column}__gte": value}) & (
        Q(**{f"{column}__gt": value}) | Q(**{column: value, "pk__gt": pk})
    )


def report_page(reports: QuerySet[Report], *, sort: str, cursor: str = "") -> ReportPage:
    """One page of ``reports`` (already filtered and ordered by ``sort``) from ``cursor`` on."""
    column, descending = SORTS[sort]
    backwards = False
    rows = reports
    if cursor:
        value, pk, backwards = read_cursor(cursor, sort=sort)
        # Going back ("newer") walks the order reversed from the cursor, then flips the page.
        rows = rows.filter(_after(column, descending != backwards, value, pk))
        if backwards:
            rows = rows.reverse()
    found = list(rows[: PAGE_SIZE + 1])
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    if backwards:
        found.reverse()
    page = ReportPage(reports=found)
    if not found:
        return page
    has_older = more if not backwards else True
    has_newer = more if backwards else bool(cursor)
    if has_older:
        page.older = make_cursor(sort=sort, report=found[-1], backwards=False)
    if has_newer:
        page.newer = make_cursor(sort=sort, report=found[0], backwards=True)
    return page
