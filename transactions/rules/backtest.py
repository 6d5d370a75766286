"""Backtests: a rule version run over a past range, as a Celery task with progress.

What it tells a reviewer before a rule goes live: how many alerts it would have raised, per day
and per merchant, how many of them fall on reports that staff already *confirmed* or *cleared* in
another alert (the hit rate, confirmed / (confirmed + cleared)), and a sample to open. It runs
the version it was started with: versions are never edited, a change is a new version. A version
that does not compile (a list it names was deleted) fails with the compiler's errors.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.models import Merchant
from portal.common.beijing import SHANGHAI, day_bounds
from portal.common.queue import enqueue_on_commit
from portal.common.statemachine import StateMachine, Transition
from transactions.models import AlertReport, AlertStatus, Backtest, Report, RuleVersion
from transactions.models import BacktestStatus as S
from transactions.rules.compiler import CompileError, compile_document
from transactions.rules.grouping import explain_of, group_key, local_day, matched_rows
from transactions.rules.windowed import windowable, windowed_rows

MAX_DAYS = 366
CHUNKS = 10
SAMPLE = 20
TASK = "transactions.tasks.run_backtest"

# Workers' steps, one conditional UPDATE each (two deliveries of the task: one runs it).
BACKTEST = StateMachine(
    [
        Transition("start", "start", frozenset({S.QUEUED}), S.RUNNING),
        Transition("finish", "finish", frozenset({S.RUNNING}), S.DONE),
        Transition("fail", "fail", frozenset({S.QUEUED, S.RUNNING}), S.FAILED),
    ]
)


def backtest_start(
    *, version: RuleVersion, first_day: date, last_day: date, actor: Any
) -> Backtest:
    """Queue a backtest of ``version`` over Beijing days ``first_day`` to ``last_day``."""
    if not actor.has_perm("transactions.add_backtest"):
        raise PermissionDenied(_("You are not allowed to do this."))
    today = timezone.now().astimezone(SHANGHAI).date()
    if last_day < first_day:
        raise ValidationError({"last_day": [_("The range ends before it starts.")]})
    if last_day > today:
        raise ValidationError(
            {"last_day": [_("A backtest looks at the past: end today at the latest.")]}
        )
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise ValidationError(
            {"first_day": [_("Choose at most %(days)s days.") % {"days": MAX_DAYS}]}
        )
    with transaction.atomic():
        backtest = Backtest.objects.create(
            version=version,
            start=day_bounds(first_day)[0],
            end=day_bounds(last_day)[1],
            created_by=actor,
        )
        enqueue_on_commit(TASK, backtest.pk)
    return backtest


def backtest_run(*, backtest_id: int) -> Backtest:
    """Run the backtest (the task's body); a second delivery of a started one does nothing."""
    backtest = Backtest.objects.select_related("version__rule").get(pk=backtest_id)
    if not BACKTEST.move(backtest, "start"):
        return backtest
    started = time.monotonic()
    try:
        compiled = compile_document(backtest.version.document)
    except CompileError as exc:
        BACKTEST.move(
            backtest,
            "fail",
            error=_("This version does not compile: %(errors)s") % {"errors": exc},
            finished_at=timezone.now(),
        )
        return backtest
    try:
        rows = _matches(backtest, compiled)
        results = _results(backtest, compiled, rows)
    except Exception as exc:
        BACKTEST.move(backtest, "fail", error=repr(exc)[:2000], finished_at=timezone.now())
        raise
    BACKTEST.move(
        backtest,
        "finish",
        results=results,
        progress=100,
        finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return backtest


def _chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Whole Beijing days in about ``CHUNKS`` steps: a day's group is never split."""
    days = max(1, round((end - start) / timedelta(days=1)))
    step = timedelta(days=-(-days // CHUNKS))
    bounds = []
    moment = start
    while moment < end:
        bounds.append((moment, min(moment + step, end)))
        moment += step
    return bounds


def _matches(backtest: Backtest, compiled: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    chunks = _chunks(backtest.start, backtest.end)
    # A rule of window aggregates alone: one window-function pass per chunk (windowed.py).
    windows = windowable(compiled)
    for i, (low, high) in enumerate(chunks, start=1):
        if windows:
            rows += windowed_rows(compiled, low=low, high=high)
        else:
            reports = Report.objects.filter(occurred_at__gte=low, occurred_at__lt=high)
            rows += matched_rows(compiled, reports)
        progress = int(99 * i / len(chunks))
        Backtest.objects.filter(pk=backtest.pk).update(progress=progress)
    return rows


def _results(backtest: Backtest, compiled: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(group_key(compiled.group_by, row), []).append(row)
    reviewed: dict[int, set[str]] = {}
    for report_id, status in AlertReport.objects.filter(
        report__occurred_at__gte=backtest.start,
        report__occurred_at__lt=backtest.end,
        alert__status__in=[AlertStatus.CONFIRMED, AlertStatus.CLEARED],
        alert__shadow=False,
    ).values_list("report_id", "alert__status"):
        reviewed.setdefault(report_id, set()).add(status)
    per_day: Counter[str] = Counter()
    per_merchant: Counter[int] = Counter()
    confirmed = cleared = 0
    ordered = sorted(groups.values(), key=lambda g: min((r["occurred_at"], r["id"]) for r in g))
    for group in ordered:
        group.sort(key=lambda r: (r["occurred_at"], r["id"]))
        per_day[local_day(group[0]).isoformat()] += 1
        per_merchant[group[0]["merchant_id"]] += 1
        statuses = set().union(*(reviewed.get(r["id"], set()) for r in group))
        if AlertStatus.CONFIRMED in statuses:
            confirmed += 1
        elif AlertStatus.CLEARED in statuses:
            cleared += 1
    names = dict(Merchant.objects.filter(pk__in=per_merchant).values_list("pk", "legal_name"))
    return {
        "alerts": len(groups),
        "reports": len(rows),
        "per_day": dict(sorted(per_day.items())),
        "per_merchant": [
            {"merchant_id": m, "merchant": names.get(m, ""), "alerts": n}
            for m, n in per_merchant.most_common()
        ],
        "confirmed": confirmed,
        "cleared": cleared,
        "hit_rate": round(confirmed / (confirmed + cleared), 4) if confirmed + cleared else None,
        "sample": [
            {
                "merchant_id": group[0]["merchant_id"],
                "day": local_day(group[0]).isoformat(),
                "report_ids": [r["id"] for r in group[:20]],
                "explain": explain_of(backtest.version, compiled, group[:1])["reports"],
            }
            for group in ordered[:SAMPLE]
        ],
    }
