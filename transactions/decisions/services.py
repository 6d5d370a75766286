"""Deciding at report time: screen the reports just stored and record accept, review or hold.

Called by ingestion inside the transaction that writes the reports (``ingest/store.py``), so a
report, its decision, the alert that puts a review or hold in the queues and the hold itself are
committed together or not at all. Every enabled check runs; a shadow check's hit is recorded but
never acted on; a check that raises becomes the reason ``check_failed`` (outcome at least review),
never an error answer.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop
from uuid6 import uuid7

from portal.common.history import written_by_the_system
from portal.common.locks import transaction_locks
from transactions.decisions.alerts import alerts_raise
from transactions.decisions.base import (
    CardWindow,
    CheckSpec,
    Context,
    Decided,
    Hit,
    LastSeen,
    Screened,
)
from transactions.decisions.checks import REGISTRY
from transactions.decisions.config import screening_config
from transactions.decisions.data_rules import CODE_PREFIX as RULE_CODE_PREFIX
from transactions.decisions.data_rules import MESSAGE as RULE_MESSAGE
from transactions.decisions.data_rules import RuleHit, rules_screen
from transactions.decisions.events import decision_events
from transactions.decisions.inputs import (
    SCREENED_FIELDS,
    ZERO,
    check_params,
    original_of,
    sales_so_far,
    screened,
    terminal_facts,
    usual_hours,
)
from transactions.decisions.state import read_state
from transactions.decisions.storage import decisions_insert
from transactions.models import (
    OUTCOME_RANK,
    DecisionOutcome,
    Report,
    RuleVersion,
    ScreeningCheck,
)
from transactions.rules.compiler import Compiled

log = logging.getLogger(__name__)


# The advisory-lock namespace of "a card being screened" (PostgreSQL only).
CARD_LOCK_SPACE = 0x44454349  # "DECI"
CHECK_FAILED = "check_failed"
CHECK_FAILED_MESSAGE = gettext_noop(
    "The check %(check)s could not run; a reviewer will look at this sale."
)


def cards_lock(cards: Iterable[tuple[int, str]]) -> None:
    """Lock (merchant, card key) until commit, before the reports are written.

    Two terminals reporting one card at once then screen one after the other, so the second
    counts the first: the velocity counts both, each exactly once.
    """
    transaction_locks(CARD_LOCK_SPACE, (f"{m}:{key}" for m, key in cards if key))


@dataclass(slots=True)
class _Run:
    """One check's result on one report, as recorded on the decision."""

    code: str
    action: str
    shadow: bool
    hit: bool
    figures: dict[str, str]
    message: str
    micros: int
    error: str = ""
    # A rule written as data: the version that ran, and each condition's value when it hit.
    version_id: int | None = None
    explain: list[dict[str, Any]] | None = None
    # The rule is snoozed for this merchant / terminal / card: its hit is recorded like a shadow's.
    snooze_id: int | None = None

    def record(self) -> dict[str, Any]:
        """As stored on the decision: what a check that ran quietly leaves out is not written
        (``hit``, ``shadow``, ``figures``, ``error``: false, false, none, none), half the size
        of a decision that ten years keep (readers take the missing keys as those values)."""
        row: dict[str, Any] = {"code": self.code, "action": self.action, "us": self.micros}
        if self.hit:
            row |= {"hit": True, "figures": self.figures}
        if self.shadow:
            row["shadow"] = True
        if self.version_id is not None:
            row["version_id"] = self.version_id
        if self.snooze_id is not None:
            row["snooze_id"] = self.snooze_id
        return row | ({"error": self.error} if self.error else {})

    @classmethod
    def of_rule(cls, hit: RuleHit, micros: int) -> _Run:
        return cls(
            code=hit.code,
            action=hit.version.action,
            shadow=hit.version.is_shadow or hit.snooze_id is not None,
            hit=hit.hit,
            figures=hit.figures,
            message=RULE_MESSAGE if hit.hit else "",
            micros=micros,
            version_id=hit.version.pk,
            explain=hit.explain,
            snooze_id=hit.snooze_id,
        )


def screen_stored(
    *,
    terminal_id: int,
    report_ids: Sequence[uuid.UUID],
    occurred: tuple[datetime, datetime],
    stored: list[Screened] | None = None,
) -> dict[uuid.UUID, Decided]:
    """Screen the terminal's reports just written in this transaction; their decisions by id.

    ``occurred``: the earliest and latest ``occurred_at`` among them, so that reading them back
    looks in their months' partitions only. ``stored``: the reports as the writer got them back
    from the database, in the order of screening, when it did (then they are not read again).
    """
    if not report_ids:
        return {}
    with written_by_the_system():
        return _screen(terminal_id, report_ids, occurred, stored)


def _screen(
    terminal_id: int,
    report_ids: Sequence[uuid.UUID],
    occurred: tuple[datetime, datetime],
    stored: list[Screened] | None,
) -> dict[uuid.UUID, Decided]:
    started = time.perf_counter()
    if stored is None:
        stored = [screened(row) for row in _stored_reports(terminal_id, report_ids, occurred)]
    reports = stored
    config = screening_config()
    facts = terminal_facts(terminal_id, config.limits)
    by_level = config.level_params.get(facts.risk_level or "", {})
    checks = [(c, REGISTRY[c.code], check_params(c, by_level)) for c in config.checks if c.enabled]
    hours_params = next((p for row, _s, p in checks if row.code == "after_hours"), {})
    sales = sales_so_far(reports) if facts.daily_limit is not None else {}
    reads = _Reads(reports[0].merchant_id, hours_params, sales)
    minutes = max((spec.window_minutes(params) for _c, spec, params in checks), default=0)
    windows, places, source = read_state(reports, minutes=max(minutes, 1))
    ctx = Context(params={}, facts=facts, reads=reads)
    state_seconds = time.perf_counter() - started
    passed, fired, seconds = _checks_run(checks, ctx, reports, windows, places)
    _rules_run(reports, config.versions, passed, fired)
    micros = int((state_seconds + seconds) * 1e6 / len(reports))
    decisions = [
        _decision(report, passed, fired.get(index, []), source, micros=micros)
        for index, report in enumerate(reports)
    ]
    flagged = [d for d in decisions if d.outcome != DecisionOutcome.ACCEPT]
    opened, holds = alerts_raise(flagged, terminal_id)
    decisions_insert(decisions)
    if flagged:
        decision_events(reports, flagged, facts, opened=opened, holds=holds)
    return {report.report_id: d for report, d in zip(reports, decisions, strict=True)}


class _Reads:
    """The reads beyond the state that some checks make (``base.Reads``), for one terminal's
    reports: the merchant's usual hours are read once."""

    def __init__(
        self, merchant_id: int, hours_params: Mapping[str, Any], sales: Mapping[int, Decimal]
    ) -> None:
        self._merchant_id = merchant_id
        self._hours_params = hours_params
        self._hours: dict[int, int] | None = None
        self._sales = sales

    def original(self, report: Screened) -> Any:
        return original_of(report)

    def usual_hours(self) -> dict[int, int]:
        if self._hours is None:
            self._hours = usual_hours(self._merchant_id, self._hours_params)
        return self._hours

    def day_sales(self, report: Screened) -> Decimal:
        return self._sales.get(report.pk, ZERO)


def _stored_reports(
    terminal_id: int, report_ids: Sequence[uuid.UUID], occurred: tuple[datetime, datetime]
) -> list[dict[str, Any]]:
    return list(
        Report.objects.filter(
            terminal_id=terminal_id, report_id__in=report_ids, occurred_at__range=occurred
        )
        .order_by("occurred_at", "report_id")
        .values(*SCREENED_FIELDS)
    )


def _checks_run(
    checks: list[tuple[ScreeningCheck, CheckSpec, Mapping[str, Any]]],
    ctx: Context,
    reports: list[Screened],
    windows: list[CardWindow | None],
    places: list[LastSeen | None],
) -> tuple[list[dict[str, Any]], dict[int, list[tuple[int, _Run]]], float]:
    """Check by check over the reports: each check's record where it did not fire (in order),
    by report index the checks that fired or failed on it (with their places), and the time.

    A check's time on each decision is its time over all the reports, shared out.
    """
    passed: list[dict[str, Any]] = []
    fired: dict[int, list[tuple[int, _Run]]] = {}
    seconds = 0.0
    for position, (row, spec, params) in enumerate(checks):
        ctx.params = params
        ran = _run_check(row.code, spec, ctx, reports, windows, places)
        seconds += ran.seconds
        micros = int(ran.seconds * 1e6 / len(reports))
        quiet = _Run(row.code, row.action, row.shadow, False, {}, "", micros)
        passed.append(quiet.record())
        for index, hit in ran.hits.items():
            run = replace(quiet, hit=True, figures=hit.figures, message=hit.message)
            fired.setdefault(index, []).append((position, run))
        for index, error in ran.errors.items():
            fired.setdefault(index, []).append((position, replace(quiet, error=error)))
    return passed, fired, seconds


@dataclass(slots=True)
class _Ran:
    """One check run over the reports: what it found, by report index, and its time."""

    hits: dict[int, Hit]
    errors: dict[int, str]
    seconds: float


def _run_check(
    code: str,
    spec: CheckSpec,
    ctx: Context,
    reports: list[Screened],
    windows: list[CardWindow | None],
    places: list[LastSeen | None],
) -> _Ran:
    hits: dict[int, Hit] = {}
    errors: dict[int, str] = {}
    run = spec.run
    started = time.perf_counter()
    for index, (report, window, place) in enumerate(zip(reports, windows, places, strict=True)):
        ctx.report, ctx.card_window, ctx.last_seen = report, window, place
        try:
            hit = run(report, ctx)
        except Exception as exc:  # a check that fails must not fail the report (API.md)
            log.exception("Screening check %s failed on report %s", code, report.pk)
            errors[index] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        if hit is not None:
            hits[index] = hit
    return _Ran(hits, errors, time.perf_counter() - started)


def _rules_run(
    reports: list[Screened],
    versions: list[tuple[RuleVersion, Compiled | None]],
    passed: list[dict[str, Any]],
    fired: dict[int, list[tuple[int, _Run]]],
) -> None:
    """The live rules written as data, after the checks: their records where they did not match
    go to ``passed``, their matches to ``fired``."""
    if not versions:
        return
    started = time.perf_counter()
    verdicts = rules_screen(report_pks=[r.pk for r in reports], versions=versions)
    micros = int((time.perf_counter() - started) * 1e6 / len(reports))
    offset = len(passed)
    for version, _compiled in versions:
        code = f"{RULE_CODE_PREFIX}{version.rule.code}"
        passed.append(_Run.of_rule(RuleHit(code, version, False, {}, []), micros).record())
    for index, report in enumerate(reports):
        for position, verdict in enumerate(verdicts.get(report.pk, []), start=offset):
            if verdict.hit:
                fired.setdefault(index, []).append((position, _Run.of_rule(verdict, micros)))


def _decision(
    report: Screened,
    passed: list[dict[str, Any]],
    fired: list[tuple[int, _Run]],
    source: str,
    *,
    micros: int,
) -> Decided:
    """The outcome is the strongest action among the reasons; a failed check counts as review.

    Reasons are listed strongest first, so the alert is filed under what decided the outcome.
    ``fired``: the checks that fired or failed on the report, with their places in ``passed``;
    where none did, the decision keeps ``passed`` itself, shared by every such report of a batch.
    """
    records = list(passed) if fired else passed
    acted: list[tuple[DecisionOutcome, dict[str, Any]]] = []
    for position, run in fired:
        records[position] = run.record()
        if run.error:
            failed = {"code": CHECK_FAILED, "message": CHECK_FAILED_MESSAGE}
            acted.append((DecisionOutcome.REVIEW, failed | {"figures": {"check": run.code}}))
        elif run.hit and not run.shadow:
            reason: dict[str, Any] = {
                "code": run.code,
                "message": run.message,
                "figures": run.figures,
            }
            if run.version_id is not None:
                reason |= {"version_id": run.version_id, "explain": run.explain}
            acted.append((DecisionOutcome(run.action), reason))
    acted.sort(key=lambda pair: OUTCOME_RANK[pair[0]], reverse=True)
    outcome = acted[0][0] if acted else DecisionOutcome.ACCEPT
    return Decided(
        decision_id=uuid7(),
        report_id=report.pk,
        merchant_id=report.merchant_id,
        terminal_id=report.terminal_id,
        outcome=outcome,
        reasons=[reason for _action, reason in acted],
        checks=records,
        state_source=source,
        duration_us=micros,
    )
