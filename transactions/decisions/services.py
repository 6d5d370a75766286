"""Deciding at report time: screen the reports just stored and record accept, review or hold.

Called by ingestion inside the transaction that writes the reports (``ingest/store.py``), so a
report, its decision, the alert that puts a review or hold in the queues and the hold itself are
committed together or not at all. Every enabled check runs; a shadow check's hit is recorded but
never acted on; a check that raises becomes the reason ``check_failed`` (outcome at least review),
never an error answer.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.cache import caches
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from simple_history.utils import bulk_create_with_history

from merchants.models import Terminal
from merchants.risk.rating.selectors import level_of, policy_of
from portal.common.beijing import SHANGHAI
from portal.common.database import copy_rows, has_copy
from portal.common.history import written_by_the_system
from portal.common.locks import transaction_locks
from transactions.decisions.base import (
    CardWindow,
    CheckSpec,
    Context,
    LastSeen,
    Screened,
    TerminalFacts,
    card_key,
)
from transactions.decisions.checks import REGISTRY
from transactions.decisions.data_rules import (
    CODE_PREFIX,
    RuleHit,
    rules_screen,
    screening_versions,
)
from transactions.decisions.data_rules import MESSAGE as RULE_MESSAGE
from transactions.decisions.events import decision_events
from transactions.decisions.state import read_state
from transactions.models import (
    HOUR_FIELDS,
    OUTCOME_RANK,
    Alert,
    AlertReport,
    AuditRule,
    Decision,
    DecisionOutcome,
    Hold,
    Report,
    ReportType,
    RuleVersion,
    ScreeningCheck,
    ScreeningCheckLevel,
    Severity,
    TerminalDay,
)
from transactions.rules.grouping import merged_explain

log = logging.getLogger(__name__)

# The advisory-lock namespace of "a card being screened" (PostgreSQL only).
CARD_LOCK_SPACE = 0x44454349  # "DECI"
CHECK_FAILED = "check_failed"
CHECK_FAILED_MESSAGE = gettext_noop(
    "The check %(check)s could not run; a reviewer will look at this sale."
)
FAILED_NAME = gettext_noop("Screening check failed")
MESSAGE_OF_RULES = RULE_MESSAGE
# Alerts of decisions are filed under audit rules of their own, one per check.
RULE_PREFIX = "realtime_"
USUAL_HOURS_SECONDS = 3600
ZERO = Decimal("0.00")
SCREENED_FIELDS = (
    "id",
    "report_id",
    "merchant_id",
    "terminal_id",
    "occurred_at",
    "amount",
    "type",
    "method",
    "cvm",
    "mcc",
    "acquirer_mid",
    "tid",
    "card_token",
    "masked_pan",
    "lat",
    "lng",
    "original_report_id",
)


def ensure_checks() -> list[ScreeningCheck]:
    """The checks' rows, created at their defaults for checks added since the last run."""
    rows = {row.code: row for row in ScreeningCheck.objects.all()}
    for spec in REGISTRY.values():
        if spec.code not in rows:
            rows[spec.code], _created = ScreeningCheck.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "description": spec.description,
                    "action": spec.action,
                    "parameters": spec.defaults,
                },
            )
    return [rows[code] for code in REGISTRY]


def cards_lock(cards: Iterable[tuple[int, str]]) -> None:
    """Lock (merchant, card key) until commit, before the reports are written.

    Two terminals reporting one card at once then screen one after the other, so the second
    counts the first: the velocity counts both, each exactly once.
    """
    transaction_locks(CARD_LOCK_SPACE, (f"{m}:{key}" for m, key in cards if key))


@dataclass
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
            message=MESSAGE_OF_RULES if hit.hit else "",
            micros=micros,
            version_id=hit.version.pk,
            explain=hit.explain,
            snooze_id=hit.snooze_id,
        )


def screen_stored(
    *, terminal_id: int, report_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Decision]:
    """Screen the terminal's reports just written in this transaction; their decisions by id."""
    if not report_ids:
        return {}
    with written_by_the_system():
        return _screen(terminal_id, report_ids)


def _screen(terminal_id: int, report_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Decision]:
    started = time.perf_counter()
    reports = [
        _screened(row)
        for row in Report.objects.filter(terminal_id=terminal_id, report_id__in=report_ids)
        .order_by("occurred_at", "report_id")
        .values(*SCREENED_FIELDS)
    ]
    facts = _facts(terminal_id)
    by_level = _level_params(facts.risk_level)
    checks = [(c, REGISTRY[c.code], _params(c, by_level)) for c in ensure_checks() if c.enabled]
    day_sales = _day_sales(reports) if facts.daily_limit is not None else {}
    minutes = max((spec.window_minutes(params) for _c, spec, params in checks), default=0)
    windows, places, source = read_state(reports, minutes=max(minutes, 1))
    shared = (time.perf_counter() - started) / max(len(reports), 1)
    ruled = time.perf_counter()
    verdicts = rules_screen(report_pks=[r.pk for r in reports], versions=screening_versions())
    per_rule = int((time.perf_counter() - ruled) * 1e6 / max(len(reports), 1))
    decisions = []
    for report, window, place in zip(reports, windows, places, strict=True):
        sold = _constant(day_sales.get(report.pk, ZERO))
        runs, took = _run_checks(report, checks, facts, window, place, sold)
        runs += [_Run.of_rule(hit, per_rule) for hit in verdicts.get(report.pk, [])]
        decisions.append(_decision(report, runs, source, micros=int((shared + took) * 1e6)))
    flagged = [d for d in decisions if d.outcome != DecisionOutcome.ACCEPT]
    opened, holds = _raise_alerts(flagged, terminal_id)
    _insert(decisions)
    if flagged:
        decision_events(reports, flagged, facts, opened=opened, holds=holds)
    return {report.report_id: d for report, d in zip(reports, decisions, strict=True)}


DECISION_COLUMNS = (
    "decision_id",
    "report_id",
    "merchant_id",
    "terminal_id",
    "outcome",
    "reasons",
    "checks",
    "state_source",
    "duration_us",
    "alert_id",
    "created_at",
)


def _insert(decisions: list[Decision]) -> None:
    """COPY on PostgreSQL: a batch's decisions carry a few kB of JSON each, which a plain
    multi-row INSERT escapes element by element (a 250-report batch: 0.45 s → ms)."""
    if not has_copy():
        Decision.objects.bulk_create(decisions)
        return
    now = timezone.now()
    for decision in decisions:
        decision.created_at = now
    copy_rows(
        Decision._meta.db_table,
        DECISION_COLUMNS,
        (
            (
                d.decision_id,
                d.report_id,
                d.merchant_id,
                d.terminal_id,
                d.outcome,
                json.dumps(d.reasons, ensure_ascii=False),
                json.dumps(d.checks, ensure_ascii=False),
                d.state_source,
                d.duration_us,
                d.alert_id,
                now,
            )
            for d in decisions
        ),
    )


def _params(row: ScreeningCheck, by_level: Mapping[int, Mapping[str, Any]]) -> Mapping[str, Any]:
    """The check's thresholds for this merchant: its risk level's set, else the check's own."""
    own = by_level.get(row.pk, row.parameters or {})
    return {**REGISTRY[row.code].defaults, **own}


def _level_params(level: str | None) -> dict[int, Mapping[str, Any]]:
    """The thresholds sets of the merchant's risk level, by check row."""
    if level is None:
        return {}
    return dict(
        ScreeningCheckLevel.objects.filter(level=level).values_list("check_row_id", "parameters")
    )


def _constant(value: Decimal) -> Callable[[], Decimal]:
    return lambda: value


def _day_sales(reports: Sequence[Screened]) -> dict[int, Decimal]:
    """Each sale's merchant sales on its Beijing day, up to and including it.

    The daily rollups already count the whole batch (written in this transaction, before the
    screening); a sale of the batch is judged without the batch's later sales of that day.
    """
    days = {report.pk: report.occurred_at.astimezone(SHANGHAI).date() for report in reports}
    merchant_id = reports[0].merchant_id
    totals = {
        day: Decimal(total or 0)
        for day, total in TerminalDay.objects.filter(
            merchant_id=merchant_id, day__in=set(days.values())
        )
        .order_by()
        .values_list("day")
        .annotate(total=Sum("sales_amount"))
    }
    later: dict[Any, Decimal] = {}
    sold = {}
    for report in reversed(reports):  # reports come in order of occurrence
        if report.type != ReportType.SALE:
            continue
        day = days[report.pk]
        sold[report.pk] = totals.get(day, ZERO) - later.get(day, ZERO)
        later[day] = later.get(day, ZERO) + report.amount
    return sold


def _screened(row: dict[str, Any]) -> Screened:
    key = card_key(card_token=row["card_token"], masked_pan=row["masked_pan"])
    return Screened(pk=row.pop("id"), card_key=key, **row)


def _facts(terminal_id: int) -> TerminalFacts:
    """Plain values in one query: a model instance of the merchant would decrypt its bank account
    on every report."""
    held = Exists(Hold.objects.active().filter(terminal_id=OuterRef("pk")))
    row = (
        Terminal.objects.filter(pk=terminal_id)
        .annotate(held=held)
        .values(
            "status",
            "tid",
            "latitude",
            "longitude",
            "held",
            "merchant_id",
            "merchant__mid",
            "merchant__mcc",
        )[0]
    )
    level = level_of(merchant_id=row["merchant_id"])
    policy = policy_of(level=level)
    return TerminalFacts(
        risk_level=level,
        per_transaction_limit=policy.per_transaction_limit if policy else None,
        daily_limit=policy.daily_limit if policy else None,
        status=row["status"],
        tid=row["tid"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        held=row["held"],
        merchant_mid=row["merchant__mid"],
        merchant_mcc=row["merchant__mcc"],
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
        original=partial(_original, report),
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


def _original(report: Screened) -> Any:
    if report.original_report_id is None:
        return None
    return (
        Report.objects.filter(merchant_id=report.merchant_id, report_id=report.original_report_id)
        .only("amount", "card_token", "masked_pan")
        .first()
    )


def usual_hours(merchant_id: int, params: Mapping[str, Any]) -> dict[int, int]:
    """Reports per Beijing hour over the merchant's last ``history_days`` (daily rollups; cached
    in the process for an hour, as the history moves by days)."""
    today = timezone.now().astimezone(SHANGHAI).date()
    days = int(params["history_days"])
    key = f"decisions:hours:{merchant_id}:{today}:{days}"
    cache = caches["screening"]
    hours = cache.get(key)
    if hours is None:
        totals = TerminalDay.objects.filter(
            merchant_id=merchant_id, day__gte=today - timedelta(days=days)
        ).aggregate(**{name: Sum(name) for name in HOUR_FIELDS})
        hours = {h: int(totals[name] or 0) for h, name in enumerate(HOUR_FIELDS)}
        cache.set(key, hours, USUAL_HOURS_SECONDS)
    return hours


def _raise_alerts(decisions: list[Decision], terminal_id: int) -> tuple[list[int], list[Hold]]:
    """Reviews and holds go into the review queues at once; a hold also holds its report.

    One alert per check, outcome and terminal that is still open: the same check firing again
    (a card milked all afternoon) adds its report to that alert instead of flooding the queue.
    Returns the ids of the alerts opened and the holds placed (for the webhooks' events).
    """
    opened: list[int] = []
    placed: list[Hold] = []
    groups: dict[tuple[str, str], list[Decision]] = {}
    for decision in decisions:
        groups.setdefault((decision.reasons[0]["code"], decision.outcome), []).append(decision)
    for (code, outcome), group in groups.items():
        alert, created = _open_alert(code, outcome, terminal_id, first=group[0], group=group)
        if created:
            opened.append(alert.pk)
        AlertReport.objects.bulk_create(
            [AlertReport(alert=alert, report_id=d.report_id) for d in group]
        )
        Alert.objects.filter(pk=alert.pk).update(report_count=F("report_count") + len(group))
        for decision in group:
            decision.alert = alert
        if outcome == DecisionOutcome.HOLD:
            holds = [
                Hold(
                    alert=alert,
                    report_id=d.report_id,
                    reason=f"Held at report time (decision {d.decision_id}): {_english(d)}",
                )
                for d in group
            ]
            placed += bulk_create_with_history(holds, Hold)
    return opened, placed


def _open_alert(
    code: str, outcome: str, terminal_id: int, *, first: Decision, group: list[Decision]
) -> tuple[Alert, bool]:
    reason = first.reasons[0]
    version = None
    if code.startswith(CODE_PREFIX):
        version = RuleVersion.objects.select_related("rule__audit_rule").get(
            pk=reason["version_id"]
        )
        rule, severity = version.rule.audit_rule, version.severity
    else:
        rule = _rule(code)
        severity = Severity.HIGH if outcome == DecisionOutcome.HOLD else Severity.MEDIUM
    explain = _explain(version, group)
    alert = (
        Alert.objects.unresolved()
        .filter(rule=rule, terminal_id=terminal_id, severity=severity)
        .order_by("-created_at")
        .first()
    )
    if alert is not None:
        if explain:
            alert.explain = merged_explain(alert.explain, explain)
            alert.save(update_fields=["explain"])
        return alert, False
    alert = Alert.objects.create(
        rule_version=version,
        explain=explain,
        rule=rule,
        merchant_id=first.merchant_id,
        terminal_id=terminal_id,
        fingerprint=f"decision:{first.decision_id}",
        severity=severity,
        explanation=_english(first),
        explanation_message=reason["message"],
        explanation_params=reason["figures"],
        report_count=0,
        due_at=timezone.now() + timedelta(days=1 if outcome == DecisionOutcome.HOLD else 2),
    )
    return alert, True


def _explain(version: RuleVersion | None, group: list[Decision]) -> dict[str, Any]:
    """A data rule's explain data for the alert: the version, each report's conditions."""
    if version is None:
        return {}
    return {
        "rule": version.rule.code,
        "version": version.number,
        "version_id": version.pk,
        "reports": {str(d.report_id): d.reasons[0].get("explain", []) for d in group},
    }


def _english(decision: Decision) -> str:
    return " ".join(r["message"] % r["figures"] for r in decision.reasons)


def _rule(code: str) -> AuditRule:
    """The alert's rule: one per screening check (``realtime_<code>``), named like the check."""
    spec = REGISTRY.get(code)
    rule, _created = AuditRule.objects.get_or_create(
        code=f"{RULE_PREFIX}{code}",
        defaults={
            "name": spec.name if spec else FAILED_NAME,
            "description": spec.description if spec else "A screening check that could not run.",
            "severity": Severity.HIGH,
        },
    )
    return rule


def decision_answer(decision: Decision) -> dict[str, Any]:
    """The decision as the contract shows it, its messages in the active language."""
    return {
        "decision_id": str(decision.decision_id),
        "outcome": decision.outcome,
        "reasons": reasons_read(decision.reasons),
    }


def reasons_read(reasons: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "message": gettext(r["message"]) % r["figures"],
            "figures": r["figures"],
        }
        for r in reasons
    ]
