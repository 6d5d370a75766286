"""What a screening check is given and what it returns.

A check is a function ``run(report, ctx) -> Hit | None`` over one report just stored, with the
facts of its terminal and merchant and the recent state of its card and terminal (``ctx``), and a
``CHECK`` spec with its defaults. The service (``services.py``) runs every enabled check, turns
their hits into the decision and records each one's inputs and time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from transactions.models import CheckAction


@dataclass(frozen=True, slots=True)
class Screened:
    """The report being screened, as stored (values, not a model instance)."""

    pk: int
    report_id: uuid.UUID
    merchant_id: int
    terminal_id: int
    occurred_at: datetime
    amount: Decimal
    type: str
    method: str
    cvm: str
    mcc: str
    acquirer_mid: str
    tid: str
    card_key: str  # "t:<card_token>", else "p:<masked_pan>", else "" (a QR payment without token)
    card_token: str = ""
    masked_pan: str = ""
    lat: Decimal | None = None
    lng: Decimal | None = None
    original_report_id: uuid.UUID | None = None


def card_key(*, card_token: str, masked_pan: str) -> str:
    """One card, as the checks recognise it: its token when the terminal sends one."""
    if card_token:
        return f"t:{card_token}"
    if masked_pan:
        return f"p:{masked_pan}"
    return ""


@dataclass(frozen=True, slots=True)
class CardWindow:
    """The card's reports (this one included) in the last ``minutes``, at the terminal and the
    merchant."""

    minutes: int
    terminal_count: int
    terminal_amount: Decimal
    merchant_count: int
    merchant_amount: Decimal


@dataclass(frozen=True, slots=True)
class LastSeen:
    """The terminal's report with a location just before this one (by time, then report id)."""

    lat: Decimal
    lng: Decimal
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class TerminalFacts:
    """What the checks know of the terminal and its merchant (read once per request)."""

    status: str
    tid: str | None
    latitude: Decimal
    longitude: Decimal
    held: bool
    merchant_mid: str | None
    merchant_mcc: str
    # The merchant's risk level in force and its limits (None: not rated, or no limit).
    risk_level: str | None = None
    per_transaction_limit: Decimal | None = None
    daily_limit: Decimal | None = None


class Reads(Protocol):
    """What some checks read beyond the state, by the database whatever the state store (each
    read at most once per screening where it can be)."""

    def original(self, report: Screened) -> Any: ...

    def usual_hours(self) -> dict[int, int]: ...

    def day_sales(self, report: Screened) -> Decimal: ...


@dataclass(slots=True)
class Context:
    """What a check may read of the report it is given: its thresholds, the terminal's facts and
    the recent state. The service moves one context from report to report (and check to check)
    rather than making one for each."""

    params: Mapping[str, Any]  # the running check's thresholds
    facts: TerminalFacts
    reads: Reads
    report: Screened | None = None
    card_window: CardWindow | None = None
    last_seen: LastSeen | None = None

    def decimal(self, name: str) -> Decimal:
        return Decimal(str(self.params[name]))

    def original(self) -> Any:
        """The original sale of a refund or void (None: none at this merchant)."""
        assert self.report is not None
        return self.reads.original(self.report)

    def usual_hours(self) -> dict[int, int]:
        """The merchant's reports per Beijing hour over its recent history."""
        return self.reads.usual_hours()

    def day_sales(self) -> Decimal:
        """The merchant's sales on the report's Beijing day up to and including it (read only
        when the merchant has a daily limit)."""
        assert self.report is not None
        return self.reads.day_sales(self.report)


@dataclass(frozen=True)
class Hit:
    """A check fired: ``message`` is an English msgid with ``%(name)s`` placeholders, ``figures``
    the values that made it fire, written out as text (they fill the placeholders)."""

    message: str
    figures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckSpec:
    """A check's code, defaults and function; ``name`` is an English msgid (``gettext_noop``)."""

    code: str
    name: str
    description: str
    action: CheckAction
    defaults: dict[str, Any]
    run: Callable[[Screened, Context], Hit | None]
    # The widest look-back of recent card reports it needs, in minutes (0: none).
    window_minutes: Callable[[Mapping[str, Any]], int] = lambda params: 0


def money(value: Decimal) -> str:
    """Yuan as written in reasons, in every language: ``¥1,234.50``."""
    return f"¥{value:,.2f}"


@dataclass(slots=True)
class Decided:
    """A decision just made, as it is written (``Decision``'s columns as plain values).

    A batch makes thousands: a model instance each cost more than screening the report. Decisions
    whose checks all passed share one list of check records, written once (``storage.py``).
    """

    decision_id: uuid.UUID
    report_id: int  # the report's primary key, as ``Decision.report_id``
    merchant_id: int
    terminal_id: int
    outcome: str
    reasons: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    state_source: str
    duration_us: int
    alert_id: int | None = None
