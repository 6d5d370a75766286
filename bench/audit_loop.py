"""The same audit rules written the naive way: one Python loop over the reports.

Every report is loaded (with its merchant, reporting settings and terminal) through
``.iterator()`` and every rule's logic is evaluated on it in Python, keeping per-card,
per-terminal and per-day state in dictionaries; a refund looks its original up with a query of its
own, as per-report code does. It counts findings and writes no alerts, so it is, if anything,
flattered against the real run.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from merchants.models import Terminal, TerminalStatus
from portal.common.beijing import SHANGHAI
from transactions.audit.rules import REGISTRY
from transactions.models import Report


def km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def python_loop(
    *, window_start: datetime, window_end: datetime, limit: int | None = None
) -> tuple[int, Counter]:
    """Evaluate every rule report by report; returns (reports seen, findings by rule)."""
    p = {code: spec.defaults for code, spec in REGISTRY.items()}
    found: Counter = Counter()
    same_card: Counter = Counter()
    last_dup: dict[tuple, datetime] = {}
    last_place: dict[int, tuple] = {}
    hours: dict[int, Counter] = defaultdict(Counter)
    credit_at: list[tuple[int, int]] = []
    daily: dict[tuple, Decimal] = defaultdict(Decimal)
    last_seen: dict[int, datetime] = {}
    limits = [Decimal(x) for x in p["cashout_below_limit"]["limits"]]
    margin = Decimal(p["cashout_below_limit"]["margin_percent"]) / 100
    reports = (
        Report.objects.filter(received_at__gt=window_start, received_at__lte=window_end)
        .select_related("merchant__reporting", "terminal")
        .order_by("occurred_at")
    )
    seen = 0
    for r in reports[:limit].iterator(chunk_size=5000) if limit else reports.iterator(5000):
        seen += 1
        m, t = r.merchant, r.terminal
        local = r.occurred_at.astimezone(SHANGHAI)
        deadline = m.reporting.deadline_hours if hasattr(m, "reporting") else 24
        found["late_report"] += r.received_at - r.occurred_at > timedelta(hours=deadline)
        found["mcc_jump"] += r.mcc != m.mcc
        found["merchant_jump"] += r.acquirer_mid != m.mid or r.tid != t.tid
        if r.lat is not None:
            here = (float(r.lat), float(r.lng))
            found["relocation"] += km(*here, float(t.latitude), float(t.longitude)) > 5
            before = last_place.get(t.pk)
            if before and r.occurred_at - before[2] <= timedelta(minutes=30):
                found["relocation"] += km(*here, before[0], before[1]) > 50
            last_place[t.pk] = (*here, r.occurred_at)
        if r.card_token:
            key = (m.pk, r.card_token, local.date())
            same_card[key] += 1
            found["cashout_same_card"] += same_card[key] == 5
        if r.type == "sale":
            found["cashout_round_amount"] += r.amount >= 5000 and r.amount % 1000 == 0
            found["cashout_below_limit"] += any(x * (1 - margin) <= r.amount < x for x in limits)
            if r.card_token or r.masked_pan:
                dup = (t.pk, r.card_token, r.masked_pan, r.amount)
                previous = last_dup.get(dup)
                found["duplicate"] += bool(
                    previous and r.occurred_at - previous <= timedelta(seconds=60)
                )
                last_dup[dup] = r.occurred_at
            daily[(m.pk, None, local.date())] += r.amount
            daily[(m.pk, t.pk, local.date())] += r.amount
        found["unverified_high_value"] += (
            r.method in ("credit_card", "debit_card")
            and r.amount >= 5000
            and r.type in ("sale", "preauth_completion")
            and r.cvm not in ("pin", "signature")
        )
        if r.type in ("refund", "void"):
            original = Report.objects.filter(
                merchant_id=m.pk, report_id=r.original_report_id
            ).first()
            found["refund_anomaly"] += (
                original is None
                or r.amount > original.amount
                or r.masked_pan != original.masked_pan
            )
        hours[m.pk][local.hour] += 1
        if r.method == "credit_card":
            credit_at.append((m.pk, local.hour))
        last_seen[t.pk] = max(last_seen.get(t.pk, r.occurred_at), r.occurred_at)
    _after(found, hours, credit_at, daily, last_seen, window_end)
    return seen, found


def _after(
    found: Counter,
    hours: dict[int, Counter],
    credit_at: list[tuple[int, int]],
    daily: dict[tuple, Decimal],
    last_seen: dict[int, datetime],
    window_end: datetime,
) -> None:
    """The rules that need the whole history: quiet hours, trailing averages, silence."""
    totals = {m: sum(c.values()) for m, c in hours.items()}
    found["cashout_off_hours"] += sum(
        totals[m] >= 200 and hours[m][h] < totals[m] * 0.01 for m, h in credit_at
    )
    for (merchant, terminal, day), today in daily.items():
        history = [
            daily.get((merchant, terminal, day - timedelta(days=k)), Decimal(0))
            for k in range(1, 29)
        ]
        if sum(1 for v in history if v) >= 7 and today >= 1000 and today > sum(history) / 28 * 3:
            found["volume_spike"] += 1
    cutoff = window_end - timedelta(hours=24)
    active = Terminal.objects.filter(
        status=TerminalStatus.ACTIVE, merchant__reporting__enabled=True
    ).values_list("id", flat=True)
    found["reporting_gap"] += sum(1 for t in active if t in last_seen and last_seen[t] < cutoff)


def report_count(**filters: Any) -> int:
    return Report.objects.filter(**filters).count()
