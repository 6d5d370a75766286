"""What a rule is given and what it returns.

A rule is a function ``find(ctx) -> Iterable[Finding]`` that asks the database set-based
questions about the reports received in the run's window (plus whatever look-back it needs), and
a ``RULE`` spec with its defaults. Findings are turned into alerts by the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from portal.common.database import one_of
from transactions.alerts.findings import Finding
from transactions.models import Report


@dataclass(frozen=True)
class Context:
    window_start: datetime
    window_end: datetime
    params: dict[str, Any]
    merchant_ids: tuple[int, ...] | None = None  # None: every merchant
    # The first and last transaction time among the window's reports, when the runner knows
    # them: a bound that leaves out no report of the window, and lets PostgreSQL read only the
    # monthly partitions those times fall in instead of every partition's received_at index.
    occurred: tuple[datetime, datetime] | None = None

    def reports(self) -> QuerySet[Report]:
        """The reports this run is about: received in the window, of the run's merchants."""
        qs = Report.objects.filter(
            received_at__gt=self.window_start, received_at__lte=self.window_end
        )
        if self.occurred is not None:
            qs = qs.filter(occurred_at__range=self.occurred)
        return self.scoped(qs)

    def scoped(self, qs: QuerySet, field: str = "merchant_id") -> QuerySet:
        return qs.filter(one_of(field, self.merchant_ids)) if self.merchant_ids is not None else qs

    def decimal(self, name: str) -> Decimal:
        return Decimal(str(self.params[name]))


@dataclass(frozen=True)
class RuleSpec:
    """A rule's code, defaults and finder; ``name`` is an English msgid (``gettext_noop``)."""

    code: str
    name: str
    description: str
    severity: str
    defaults: dict[str, Any]
    find: Callable[[Context], Iterable[Finding]]
    # Reads far beyond the window (rollups over weeks, the same day's or terminal's earlier
    # reports): found first when a part's rules run side by side, so that a long one does not
    # start last and end the run alone.
    heavy: bool = False


def money(value: Decimal) -> str:
    """Yuan as written in explanations, in every language: ``¥1,234.50``."""
    return f"¥{value:,.2f}"


def grouped(
    rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]
) -> dict[Any, list[dict[str, Any]]]:
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups
