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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext_noop

from portal.common.history import written_by_the_system
from portal.common.locks import transaction_locks
from transactions.decisions.alerts import alerts_raise
from transactions.decisions.base import (
    CardWindow,
    CheckSpec,
    Context,
    LastSeen,
    Screened,
    TerminalFacts,
)
from transactions.decisions.checks import REGISTRY
from transactions.decisions.config import screening_config
from transactions.decisions.data_rules import MESSAGE as RULE_MESSAGE
from transactions.decisions.data_rules import RuleHit, rules_screen
from transactions.decisions.events import decision_events
from transactions.decisions.inputs import (
    SCREENED_FIELDS,
    ZERO,
    check_params,
    constant,
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
    Decision,
    DecisionOutcome,
    Report,
    ScreeningCheck,
)

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
        row = {"code": self.code, "hit": self.hit, "shadow": self.shadow, "action": self.action}
        row |= {"figures": self.figures, "us": self.micros}
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
    stored: list[dict[str, Any]] | None = None,
) -> dict[uuid.UUID, Decision]:
    """Screen the terminal's reports just written in this transaction; their decisions by id.

    ``occurred``: the earliest and latest ``occurred_at`` among them, so that reading them back
    looks in their months' partitions only. ``stored``: the reports' ``SCREENED_FIELDS`` as the
    writer got them back from the database, when it did (then they are not read again).
    """
    if not report_ids:
        return {}
    with written_by_the_system():
        return _screen(terminal_id, report_ids, occurred, stored)


def _screen(
    terminal_id: int,
    report_ids: Sequence[uuid.UUID],
    occurred: tuple[datetime, datetime],
    stored: list[dict[str, Any]] | None,
) -> dict[uuid.UUID, Decision]:
    started = time.perf_counter()
    if stored is None:
        stored = _stored_reports(terminal_id, report_ids, occurred)
    reports = [screened(row) for row in stored]
    config = screening_config()
    facts = terminal_facts(terminal_id, config.limits)
    by_level = config.level_params.get(facts.risk_level or "", {})
    checks = [(c, REGISTRY[c.code], check_params(c, by_level)) for c in config.checks if c.enabled]
    day_sales = sales_so_far(reports) if facts.daily_limit is not None else {}
    minutes = max((spec.window_minutes(params) for _c, spec, params in checks), default=0)
    windows, places, source = read_state(reports, minutes=max(minutes, 1))
    shared = (time.perf_counter() - started) / max(len(reports), 1)
    ruled = time.perf_counter()
    verdicts = rules_screen(report_pks=[r.pk for r in reports], versions=config.versions)
    per_rule = int((time.perf_counter() - ruled) * 1e6 / max(len(reports), 1))
    decisions = []
    for report, window, place in zip(reports, windows, places, strict=True):
        sold = constant(day_sales.get(report.pk, ZERO))
        runs, took = _run_checks(report, checks, facts, window, place, sold)
        runs += [_Run.of_rule(hit, per_rule) for hit in verdicts.get(report.pk, [])]
        decisions.append(_decision(report, runs, source, micros=int((shared + took) * 1e6)))
    flagged = [d for d in decisions if d.outcome != DecisionOutcome.ACCEPT]
    opened, holds = alerts_raise(flagged, terminal_id)
    decisions_insert(decisions)
    if flagged:
        decision_events(reports, flagged, facts, opened=opened, holds=holds)
    return {report.report_id: d for report, d in zip(reports, decisions, strict=True)}


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


def _run_checks(
    report: Screened,
    checks: list[tuple[ScreeningCheck, CheckSpec, Mapping[str, Any]]],
    facts: TerminalFacts,
    window: CardWindow | None,
    place: LastSeen | None,
    day_sales: Callable[[], Decimal],
) -> tuple[list[_Run], float]:
    hours_params = next((p for row, _s, p in checks if row.code == "after_hours"), {})
    ctx = Context(
        params={},
        facts=facts,
        card_window=window,
        last_seen=place,
        original=partial(original_of, report),
        usual_hours=partial(usual_hours, report.merchant_id, hours_params),
        day_sales=day_sales,
    )
    runs = []
    total = 0.0
    for row, spec, params in checks:
        ctx.params = params
        started = time.perf_counter()
        try:
            hit = spec.run(report, ctx)
            error = ""
        except Exception as exc:  # a check that fails must not fail the report (API.md)
            log.exception("Screening check %s failed on report %s", row.code, report.pk)
            hit, error = None, f"{type(exc).__name__}: {exc}"[:200]
        took = time.perf_counter() - started
        total += took
        runs.append(
            _Run(
                code=row.code,
                action=row.action,
                shadow=row.shadow,
                hit=hit is not None,
                figures=hit.figures if hit else {},
                message=hit.message if hit else "",
                micros=int(took * 1e6),
                error=error,
            )
        )
    return runs, total


def _decision(report: Screened, runs: list[_Run], source: str, *, micros: int) -> Decision:
    """The outcome is the strongest action among the reasons; a failed check counts as review.

    Reasons are listed strongest first, so the alert is filed under what decided the outcome.
    """
    acted: list[tuple[DecisionOutcome, dict[str, Any]]] = []
    for run in runs:
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
    reasons = [reason for _action, reason in acted]
    return Decision(
        report_id=report.pk,
        merchant_id=report.merchant_id,
        terminal_id=report.terminal_id,
        outcome=outcome,
        reasons=reasons,
        checks=[run.record() for run in runs],
        state_source=source,
        duration_us=micros,
    )
