"""Planting reports with chosen times and values, and running the audit over them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from portal.common.beijing import SHANGHAI
from tests.transactions.helpers import report, reporting_terminal
from transactions.audit.runner import audit_run_now
from transactions.ingest.store import Incoming, store_reports
from transactions.ingest.validate import validate_report
from transactions.models import Alert, AuditRule, Report


def shanghai(days_ago: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time on a past Shanghai calendar day, so tests never straddle a day by accident."""
    day = (timezone.now() - timedelta(days=days_ago)).astimezone(SHANGHAI)
    return day.replace(hour=hour, minute=minute, second=second, microsecond=0)


def plant(
    terminal: Any, *, at: datetime | None = None, received: datetime | None = None, **fields: Any
) -> Report:
    """Store one report as if it had arrived at ``received`` (default: just after ``at``)."""
    at = at or timezone.now() - timedelta(hours=1)
    received = received or at + timedelta(minutes=1)
    raw = report(terminal, occurred_at=at.isoformat(), **fields)
    valid, errors = validate_report(raw, now=max(received, timezone.now()))
    assert valid is not None, errors
    store_reports(
        [Incoming(0, terminal.pk, terminal.merchant_id, valid)], source="api", received_at=received
    )
    return Report.objects.get(terminal=terminal, report_id=valid.report_id)


def plant_many(
    terminal: Any, times: list[datetime], *, received: datetime | None = None, **fields: Any
) -> list[Report]:
    """Store one report per time in ``times`` in a single write, all received at ``received``."""
    received = received or max(times) + timedelta(minutes=1)
    incoming = []
    for at in times:
        valid, errors = validate_report(
            report(terminal, occurred_at=at.isoformat(), **fields),
            now=max(received, timezone.now()),
        )
        assert valid is not None, errors
        incoming.append(Incoming(len(incoming), terminal.pk, terminal.merchant_id, valid))
    store_reports(incoming, source="api", received_at=received)
    ids = [item.report.report_id for item in incoming]
    return list(Report.objects.filter(terminal=terminal, report_id__in=ids).order_by("occurred_at"))


def audit(**kwargs: Any) -> Any:
    return audit_run_now(trigger="test", **kwargs)


def alerts(code: str) -> list[Alert]:
    return list(Alert.objects.filter(rule__code=code).order_by("pk"))


def only_rule(code: str) -> None:
    """Switch every other rule off, so a test sees one rule's findings."""
    AuditRule.objects.exclude(code=code).update(enabled=False)


def alert_of(code: str) -> Alert:
    """The one alert of a rule (fails if there are none or several)."""
    [alert] = alerts(code)
    return alert


def report_ids(alert: Alert) -> set[int]:
    return set(alert.reports.values_list("pk", flat=True))


def set_params(code: str, **params: Any) -> None:
    rule = AuditRule.objects.get(code=code)
    rule.parameters = {**rule.parameters, **params}
    rule.save()


def plant_patterns() -> None:
    """Three merchants, each with something for several rules, one of them across terminals."""
    a, b, c = reporting_terminal(), reporting_terminal(), reporting_terminal()
    a2 = reporting_terminal(merchant=a.merchant)
    plant(a, at=shanghai(1, 10), mcc="5812")
    plant(a2, at=shanghai(1, 11), tid="99999999")
    plant_many(a, [shanghai(1, 12, m) for m in range(3)], card_token="tok_a")
    plant_many(a2, [shanghai(1, 13, m) for m in range(2)], card_token="tok_a")
    plant(b, at=shanghai(1, 12), amount="9900.00", cvm="none")
    plant(b, at=shanghai(2, 12), received=shanghai(1, 14))
    plant_many(c, [shanghai(d, 12) for d in range(2, 10)], amount="1000.00")
    plant(c, at=shanghai(1, 12), amount="8000.00")


def snapshot() -> set[tuple[Any, ...]]:
    """Each alert: fingerprint, rule, merchant, terminal and its reports."""
    return {
        (a.fingerprint, a.rule.code, a.merchant_id, a.terminal_id, frozenset(report_ids(a)))
        for a in Alert.objects.select_related("rule")
    }


__all__ = [
    "alert_of",
    "alerts",
    "audit",
    "only_rule",
    "plant",
    "plant_many",
    "plant_patterns",
    "report_ids",
    "reporting_terminal",
    "set_params",
    "shanghai",
    "snapshot",
]
