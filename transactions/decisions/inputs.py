"""What the screening reads: the checks' rows and thresholds (per risk level), the reports just
stored, the terminal's facts, the merchant's day so far and its usual hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import caches
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from merchants.models import Terminal
from merchants.risk.rating.selectors import level_in_force
from portal.common.beijing import SHANGHAI
from portal.common.compiled import CompiledQuery
from transactions.decisions.base import (
    Screened,
    TerminalFacts,
    card_key,
)
from transactions.decisions.checks import REGISTRY
from transactions.models import (
    HOUR_FIELDS,
    Hold,
    Report,
    ReportType,
    ScreeningCheck,
    TerminalDay,
)

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


@dataclass(frozen=True)
class Limits:
    """A risk level's limits (``RiskLevelPolicy``), as the screening reads them."""

    per_transaction: Decimal | None
    daily: Decimal | None


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


def screened(row: dict[str, Any]) -> Screened:
    key = card_key(card_token=row["card_token"], masked_pan=row["masked_pan"])
    return Screened(pk=row.pop("id"), card_key=key, **row)


def _facts_query(terminal_id: int, now: datetime) -> QuerySet[Terminal, dict[str, Any]]:
    held = Exists(Hold.objects.active().filter(terminal_id=OuterRef("pk")))
    return (
        Terminal.objects.filter(pk=terminal_id)
        .order_by()
        .annotate(held=held, level=level_in_force(OuterRef("merchant_id"), now))
        .values(
            "status",
            "tid",
            "latitude",
            "longitude",
            "held",
            "level",
            "merchant__mid",
            "merchant__mcc",
        )
    )


# Read for every report: compiled once (three milliseconds of Python a report otherwise).
_FACTS = CompiledQuery(
    _facts_query,
    terminal_id=(-1, -2),
    now=(datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 1, 2, tzinfo=UTC)),
)


def terminal_facts(terminal_id: int, limits: Mapping[str, Limits]) -> TerminalFacts:
    """Plain values in one query, the merchant's level in force with them: a model instance of the
    merchant would decrypt its bank account on every report. ``limits`` are the levels' limits."""
    row = _FACTS.first(terminal_id=terminal_id, now=timezone.now())
    if row is None:
        raise Terminal.DoesNotExist(terminal_id)
    limit = limits.get(row["level"]) if row["level"] else None
    return TerminalFacts(
        risk_level=row["level"],
        per_transaction_limit=limit.per_transaction if limit else None,
        daily_limit=limit.daily if limit else None,
        status=row["status"],
        tid=row["tid"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        held=row["held"],
        merchant_mid=row["merchant__mid"],
        merchant_mcc=row["merchant__mcc"],
    )


def check_params(
    row: ScreeningCheck, by_level: Mapping[int, Mapping[str, Any]]
) -> Mapping[str, Any]:
    """The check's thresholds for this merchant: its risk level's set, else the check's own."""
    own = by_level.get(row.pk, row.parameters or {})
    return {**REGISTRY[row.code].defaults, **own}


def sales_so_far(reports: Sequence[Screened]) -> dict[int, Decimal]:
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


def original_of(report: Screened) -> Any:
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
