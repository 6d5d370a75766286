"""Running the audit: incremental windows, split into parts, each part idempotent.

``audit_start`` records a run over the reports received since the last finished run and splits the
merchants into parts; ``audit_run_part`` evaluates every enabled rule for one part and turns the
findings into alerts (keyed by fingerprint, so a part that runs twice creates nothing twice);
the part that completes the set finishes the run: it counts the alerts the run raised and tells
staff of the serious ones in one e-mail.

Scheduled runs go one at a time: beat starts no run while another is in flight, and sends again
the unfinished parts of a run that has been running for longer than ``STALE_AFTER`` (its worker
died before sending them, or while doing one and the broker has not delivered it again). A new
run's window starts where the last *finished* run's ended, so the window of a run that never
finishes is covered by the next one: nothing is skipped, and fingerprints keep the overlap from
raising anything twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from merchants.models import Merchant
from merchants.risk.rating.selectors import levels_of
from portal.common.database import has_planner_settings
from portal.common.locks import STALLED_AFTER
from portal.common.queue import enqueue
from transactions.alerts.findings import Finding
from transactions.alerts.services import alerts_from_findings, alerts_notify_run
from transactions.audit.base import Context
from transactions.audit.data_rules import data_rule_audit, data_rule_codes
from transactions.audit.rules import REGISTRY
from transactions.audit.side_by_side import side_by_side
from transactions.audit.workflow import AUDIT_RUN
from transactions.models import (
    AuditRule,
    AuditRuleLevel,
    AuditRun,
    AuditRunPart,
    Report,
    RunStatus,
)

FIRST_WINDOW = timedelta(days=35)
# A whole first run over a million reports takes seconds; a run unfinished after this long has
# lost a part (longer than the broker's visibility timeout, so redelivery gets its chance first).
STALE_AFTER = STALLED_AFTER


def ensure_rules() -> None:
    """Create the rows of rules added since the last migration (thresholds at their defaults)."""
    known = set(AuditRule.objects.filter(code__in=REGISTRY).values_list("code", flat=True))
    for spec in REGISTRY.values():
        if spec.code in known:
            continue  # one query for every rule a run starts with, not one each
        AuditRule.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "severity": spec.severity,
                "parameters": spec.defaults,
            },
        )


def audit_start(
    *,
    trigger: str,
    window_end: datetime | None = None,
    merchants_per_part: int | None = None,
) -> AuditRun:
    """Record a run over what arrived since the last finished run, split by merchant.

    Parts of ``AUDIT_MERCHANTS_PER_PART`` merchants unless told: a merchant's reports are spread
    over the whole table, so every part reads the window again for every rule. Parts pay off
    on workers with cores (and a database) of their own; on one box, a part's rules are found
    side by side already (``AUDIT_FIND_THREADS``).
    """
    merchants_per_part = merchants_per_part or settings.AUDIT_MERCHANTS_PER_PART
    ensure_rules()
    window_end = window_end or timezone.now()
    last = AuditRun.objects.filter(status=RunStatus.DONE).order_by("-window_end").first()
    window_start = last.window_end if last else window_end - FIRST_WINDOW
    codes = list(
        AuditRule.objects.filter(enabled=True, code__in=REGISTRY).values_list("code", flat=True)
    )
    # Rules written as data (transactions/rules/) with a live version run beside the built-ins.
    codes += data_rule_codes()
    merchant_ids = sorted(
        set(
            Report.objects.filter(received_at__gt=window_start, received_at__lte=window_end)
            .order_by()  # else the default ordering makes DISTINCT one row per report
            .values_list("merchant_id", flat=True)
            .distinct()
        )
        | set(
            Merchant.objects.approved().filter(reporting__enabled=True).values_list("id", flat=True)
        )
    )
    chunks = [
        merchant_ids[i : i + merchants_per_part]
        for i in range(0, len(merchant_ids), merchants_per_part)
    ] or [[]]
    with transaction.atomic():
        run = AuditRun.objects.create(
            trigger=trigger,
            window_start=window_start,
            window_end=window_end,
            rules=codes,
            parts_total=len(chunks),
        )
        AuditRunPart.objects.bulk_create(
            AuditRunPart(run=run, index=i, merchant_ids=chunk) for i, chunk in enumerate(chunks)
        )
    return run


def audit_run_part(*, part_id: int) -> None:
    """Evaluate the run's rules for one part's merchants; safe to repeat after a crash."""
    part = AuditRunPart.objects.select_related("run").get(pk=part_id)
    if part.done:
        return
    run = part.run
    counts: dict[str, int] = {}
    created = updated = 0
    rules = {rule.code: rule for rule in AuditRule.objects.filter(code__in=run.rules)}
    with _no_jit():
        findings_of = _findings(run, part.merchant_ids, rules)
        for code in run.rules:
            if code not in REGISTRY:
                found, new, known = data_rule_audit(
                    audit_code=code,
                    run=run,
                    window_start=run.window_start,
                    window_end=run.window_end,
                    merchant_ids=tuple(part.merchant_ids),
                )
                counts |= found
                created, updated = created + new, updated + known
                continue
            findings = findings_of.get(code, [])
            counts[code] = len(findings)
            new, known = alerts_from_findings(rule=rules[code], findings=findings, run=run)
            created, updated = created + new, updated + known
    with transaction.atomic():
        part = AuditRunPart.objects.select_for_update().get(pk=part_id)
        if part.done:
            return
        part.done, part.counts = True, counts
        part.save(update_fields=["done", "counts"])
        AuditRun.objects.filter(pk=run.pk).update(
            parts_done=F("parts_done") + 1,
            alerts_created=F("alerts_created") + created,
            alerts_updated=F("alerts_updated") + updated,
        )
        run = AuditRun.objects.select_for_update().get(pk=run.pk)
        if run.parts_done == run.parts_total:
            _finish(run)


def _findings(
    run: AuditRun, merchant_ids: list[int], rules: dict[str, AuditRule]
) -> dict[str, list[Finding]]:
    """Every built-in rule's findings for these merchants, by rule code.

    A rule runs once per set of thresholds among the merchants (their risk levels'); all of
    these are found side by side where the database allows it (``side_by_side``).
    """
    by_level = _level_params(run.rules)
    levels = levels_of(merchant_ids=merchant_ids) if by_level else {}
    occurred = _occurred_span(run)
    jobs: list[tuple[str, Context]] = [
        (code, Context(run.window_start, run.window_end, params, group, occurred))
        for code in run.rules
        if code in REGISTRY
        for params, group in _param_groups(
            {**REGISTRY[code].defaults, **rules[code].parameters},
            {
                level: {**REGISTRY[code].defaults, **p}
                for level, p in by_level.get(code, {}).items()
            },
            merchant_ids,
            levels,
        )
    ]
    jobs.sort(key=lambda job: not REGISTRY[job[0]].heavy)  # the long ones first (stable)
    found = side_by_side([partial(_found, code, ctx) for code, ctx in jobs])
    findings_of: dict[str, list[Finding]] = {}
    for (code, _ctx), findings in zip(jobs, found, strict=True):
        findings_of.setdefault(code, []).extend(findings)
    return findings_of


def _found(code: str, ctx: Context) -> list[Finding]:
    return list(REGISTRY[code].find(ctx))


def _occurred_span(run: AuditRun) -> tuple[datetime, datetime] | None:
    """The first and last transaction time of the reports received in the run's window (None:
    none). Of every merchant's, not only the part's: a wider bound is as correct, and the
    received_at index alone answers it (a merchant filter would make the planner read more)."""
    span = Report.objects.filter(
        received_at__gt=run.window_start, received_at__lte=run.window_end
    ).aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    return (span["first"], span["last"]) if span["first"] is not None else None


def _level_params(codes: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """The rules' threshold sets per merchant risk level: {code: {level: thresholds}}."""
    sets: dict[str, dict[str, dict[str, Any]]] = {}
    for code, level, params in AuditRuleLevel.objects.filter(rule__code__in=codes).values_list(
        "rule__code", "level", "parameters"
    ):
        sets.setdefault(code, {})[level] = params
    return sets


def _param_groups(
    default: dict[str, Any],
    by_level: dict[str, dict[str, Any]],
    merchant_ids: list[int],
    levels: dict[int, str],
) -> list[tuple[dict[str, Any], tuple[int, ...]]]:
    """The part's merchants split by the thresholds that apply to them: their risk level's set
    where the rule has one, the rule's own (the default set) otherwise. One query per set."""
    if not by_level:
        return [(default, tuple(merchant_ids))]
    groups: dict[str, list[int]] = {}
    for merchant_id in merchant_ids:
        level = levels.get(merchant_id, "")
        groups.setdefault(level if level in by_level else "", []).append(merchant_id)
    return [
        (by_level[level] if level else default, tuple(ids)) for level, ids in sorted(groups.items())
    ]


@contextmanager
def _no_jit() -> Iterator[None]:
    """PostgreSQL's JIT off while the rules run: compiling costs 0.5-1.5 s per big query, more
    than it saves on these scans and sorts (measured in bench/audit_rules.py)."""
    if not has_planner_settings():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    yield
    # Not on the way out of an error: the transaction may be aborted, and jit off is harmless.
    with connection.cursor() as cursor:
        cursor.execute("RESET jit")


def _finish(run: AuditRun) -> None:
    totals: dict[str, int] = {}
    for part_counts in run.parts.values_list("counts", flat=True):
        for code, n in part_counts.items():
            totals[code] = totals.get(code, 0) + n
    run.counts = totals
    # Counted from the alerts themselves: a part repeated after a crash finds the alerts its
    # first attempt wrote already there, and they are this run's all the same.
    run.alerts_created = run.alerts.count()
    AUDIT_RUN.apply(run, "finish")
    run.finished_at = timezone.now()
    run.duration_ms = int((run.finished_at - run.started_at).total_seconds() * 1000)
    run.save(update_fields=["counts", "alerts_created", "status", "finished_at", "duration_ms"])
    alerts_notify_run(run=run)


def audit_enqueue(*, trigger: str) -> str:
    """Queue an incremental audit for the workers, as beat does; returns the task's id."""
    return enqueue("transactions.tasks.run_audit", trigger=trigger).id


def audit_in_flight(*, now: datetime | None = None) -> AuditRun | None:
    """The latest run still running and started less than ``STALE_AFTER`` ago, if any."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    return (
        AuditRun.objects.filter(status=RunStatus.RUNNING, started_at__gte=cutoff)
        .order_by("-started_at")
        .first()
    )


def audit_stalled_parts(*, now: datetime | None = None) -> list[int]:
    """The unfinished parts of runs still running ``STALE_AFTER`` after they started.

    Sending them again is safe: a part that did its work meanwhile returns at once, and one that
    runs twice raises nothing twice.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    return list(
        AuditRunPart.objects.filter(
            run__status=RunStatus.RUNNING, run__started_at__lt=cutoff, done=False
        )
        .order_by("run_id", "index")
        .values_list("id", flat=True)
    )


def audit_failed(*, run_id: int, error: BaseException) -> None:
    """Record that a part raised: the run will not finish, and the next run redoes its window."""
    AUDIT_RUN.move_all(AuditRun.objects.filter(pk=run_id), "fail", error=repr(error)[:2000])


def audit_run_now(
    *,
    trigger: str,
    window_end: datetime | None = None,
    merchants_per_part: int | None = None,
) -> AuditRun:
    """Start a run and do every part in this process (shell, admin fallback, tests, benchmarks)."""
    started = time.monotonic()
    run = audit_start(trigger=trigger, window_end=window_end, merchants_per_part=merchants_per_part)
    try:
        for part_id in run.parts.values_list("id", flat=True):
            audit_run_part(part_id=part_id)
    except Exception as exc:
        audit_failed(run_id=run.pk, error=exc)
        raise
    run.refresh_from_db()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(update_fields=["duration_ms"])
    return run
