"""Reporting through the terminal API: one report or a batch, validated and stored once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

from transactions.decisions.base import Decided
from transactions.decisions.selectors import decisions_of
from transactions.ingest.store import Incoming, StoreResult, store_reports
from transactions.ingest.validate import Errors, validate_report
from transactions.models import Decision, DecisionOutcome, Source

MAX_BATCH = 5000


class ReportingTerminal(Protocol):
    """The terminal a report comes from: a ``Terminal``, or the API's ``SignedTerminal``."""

    @property
    def pk(self) -> int: ...

    @property
    def merchant_id(self) -> int: ...


@dataclass
class SingleOutcome:
    status: str  # accepted | duplicate | conflict | invalid
    report_id: str | None = None
    errors: Errors = field(default_factory=dict)
    # Its decision: given now, or the first one again for a duplicate (none for reports stored
    # before screening existed).
    decision: Decision | Decided | None = None


@dataclass
class BatchOutcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    # (index, report_id, decision) of the accepted and duplicate reports not accepted outright.
    decisions: list[tuple[int, str, Decision | Decided]] = field(default_factory=list)


def report_ingest_one(*, terminal: ReportingTerminal, raw: Any) -> SingleOutcome:
    """Validate and store one report sent by ``terminal``."""
    valid, errors = validate_report(raw, now=timezone.now())
    if valid is None:
        return SingleOutcome("invalid", errors=errors)
    item = Incoming(0, terminal.pk, terminal.merchant_id, valid)
    result = store_reports([item], source=Source.API, screen=settings.DECISIONS_SCREENING)
    if result.accepted:
        return SingleOutcome(
            "accepted", str(valid.report_id), decision=result.decisions.get(valid.report_id)
        )
    if result.duplicates:
        first = decisions_of(terminal_id=terminal.pk, report_ids=[valid.report_id])
        return SingleOutcome("duplicate", str(valid.report_id), decision=first.get(valid.report_id))
    return SingleOutcome("conflict", str(valid.report_id))


def report_ingest_batch(*, terminal: ReportingTerminal, raws: list[Any]) -> BatchOutcome:
    """Store every valid report of the batch; list each refused one with its index and errors."""
    now = timezone.now()
    outcome = BatchOutcome()
    incoming: list[Incoming] = []
    for index, raw in enumerate(raws):
        valid, errors = validate_report(raw, now=now)
        if valid is None:
            outcome.rejected.append(_rejection(index, raw, errors))
        else:
            incoming.append(Incoming(index, terminal.pk, terminal.merchant_id, valid))
    result = store_reports(incoming, source=Source.API, screen=settings.DECISIONS_SCREENING)
    outcome.accepted = len(result.accepted)
    outcome.duplicates = len(result.duplicates)
    outcome.decisions = _not_accepted(terminal, incoming, result)
    conflict_message = "Another report with this report_id was already stored with other content."
    for index in result.conflicts:
        outcome.rejected.append(
            _rejection(index, raws[index], {"report_id": [conflict_message]}, conflict=True)
        )
    outcome.rejected.sort(key=lambda row: row["index"])
    return outcome


def _not_accepted(
    terminal: ReportingTerminal, incoming: list[Incoming], result: StoreResult
) -> list[tuple[int, str, Decision | Decided]]:
    """The batch's accepted and duplicate reports whose decision is review or hold, by index."""
    index_of = {item.index: item.report.report_id for item in incoming}
    duplicates = [index_of[i] for i in result.duplicates]
    decisions = result.decisions | decisions_of(terminal_id=terminal.pk, report_ids=duplicates)
    wanted = sorted([*result.accepted, *result.duplicates])
    return [
        (index, str(index_of[index]), decision)
        for index in wanted
        if (decision := decisions.get(index_of[index])) is not None
        and decision.outcome != DecisionOutcome.ACCEPT
    ]


def _rejection(index: int, raw: Any, errors: Errors, *, conflict: bool = False) -> dict[str, Any]:
    report_id = raw.get("report_id") if isinstance(raw, dict) else None
    # Echo the id only when it is a well-formed id and not itself the offending value.
    if not isinstance(report_id, str) or ("report_id" in errors and not conflict):
        report_id = None
    return {"index": index, "report_id": report_id, "errors": errors}
