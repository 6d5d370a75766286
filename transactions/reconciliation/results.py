"""Reading reconciliation results: runs a merchant may see, totals per day, the differences."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from merchants.models import Merchant
from transactions.models import (
    Outcome,
    ReconciliationItem,
    ReconciliationRun,
    ReconciliationTotal,
    SettlementFile,
)


def runs_for_merchant(merchant: Merchant) -> QuerySet[ReconciliationRun]:
    """Runs with any of the merchant's lines or reports in them, or of a file it uploaded."""
    with_data = ReconciliationTotal.objects.filter(merchant=merchant).values("run_id")
    return (
        ReconciliationRun.objects.filter(Q(pk__in=with_data) | Q(file__merchant=merchant))
        .select_related("file", "file__acquirer")
        .order_by("-started_at", "-pk")
    )


def files_for_merchant(merchant: Merchant) -> QuerySet[SettlementFile]:
    return SettlementFile.objects.filter(merchant=merchant).select_related("acquirer")


@dataclass
class DayTotals:
    day: date
    merchant_id: int | None
    counts: dict[str, int] = field(default_factory=dict)
    settled: Decimal = Decimal("0")
    reported: Decimal = Decimal("0")

    @property
    def difference(self) -> Decimal:
        return self.settled - self.reported

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)


def totals_by_day(run: ReconciliationRun, merchant: Merchant | None = None) -> list[DayTotals]:
    """Counts by outcome and settled / reported sums per merchant and day (one merchant's if given)."""
    rows = ReconciliationTotal.objects.filter(run=run)
    if merchant is not None:
        rows = rows.filter(merchant=merchant)
    days: dict[tuple[int | None, date], DayTotals] = {}
    for total in rows.order_by("merchant_id", "day"):
        entry = days.setdefault(
            (total.merchant_id, total.day), DayTotals(total.day, total.merchant_id)
        )
        entry.counts[total.outcome] = entry.counts.get(total.outcome, 0) + total.count
        if total.outcome != Outcome.DUPLICATE_IN_FILE:
            entry.settled += total.settled_amount or 0
            entry.reported += total.reported_amount or 0
    return list(days.values())


def differences(
    run: ReconciliationRun, merchant: Merchant | None = None
) -> QuerySet[ReconciliationItem]:
    items = ReconciliationItem.objects.filter(run=run).select_related("merchant")
    return items.filter(merchant=merchant) if merchant is not None else items


def csv_header() -> list[str]:
    return [
        _("kind"),
        _("merchant"),
        _("day"),
        _("line"),
        "TID",
        "RRN",
        _("settled amount"),
        _("reported amount"),
    ]


def csv_rows(items: QuerySet[ReconciliationItem]) -> Iterator[list[Any]]:
    for item in items.order_by("pk").iterator(chunk_size=2000):
        yield [
            item.get_kind_display(),
            item.merchant.mid if item.merchant else "",
            item.day.isoformat(),
            item.line_no or "",
            item.tid,
            item.rrn,
            item.settled_amount if item.settled_amount is not None else "",
            item.reported_amount if item.reported_amount is not None else "",
        ]
