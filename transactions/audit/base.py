"""What a rule is given and what it returns.

A rule is a function ``find(ctx) -> Iterable[Finding]`` that asks the database set-based
questions about the reports received in the run's window (plus whatever look-back it needs), and
a ``RULE`` spec with its defaults. Findings are turned into alerts by the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from transactions.models import Report


@dataclass
class Finding:
    """One thing worth a reviewer's look: ``key`` makes its alert unique within the rule.

    A rule says what it found as ``message``, an English msgid marked with ``gettext_noop`` and
    holding ``%(name)s`` placeholders, and ``params``, the values already written out as text
    (money as ``¥1,234.50``, days in ISO): kept apart, the alert can be read in each reader's
    language. ``explanation`` is the English reading, stored for search and e-mails; it is
    worked out from the two when not given (findings made without a message keep theirs).
    """

    key: str
    merchant_id: int
    explanation: str = ""
    report_ids: list[int] = field(default_factory=list)
    terminal_id: int | None = None
    message: str = ""
    params: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Stored as JSON and shown as is: text only (a UUID or a Decimal would not serialise).
        self.params = {name: str(value) for name, value in self.params.items()}
        if self.message and not self.explanation:
            self.explanation = self.message % self.params


@dataclass(frozen=True)
class Context:
    window_start: datetime
    window_end: datetime
    params: dict[str, Any]
    merchant_ids: tuple[int, ...] | None = None  # None: every merchant

    def reports(self) -> QuerySet[Report]:
        """The reports this run is about: received in the window, of the run's merchants."""
        qs = Report.objects.filter(
            received_at__gt=self.window_start, received_at__lte=self.window_end
        )
        return self.scoped(qs)

    def scoped(self, qs: QuerySet, field: str = "merchant_id") -> QuerySet:
        return (
            qs.filter(**{f"{field}__in": self.merchant_ids})
            if self.merchant_ids is not None
            else qs
        )

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
