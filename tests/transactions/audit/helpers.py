"""Planting reports with chosen times and values, and running the audit over them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tests.transactions.helpers import report, reporting_terminal
from transactions.audit.runner import audit_run_now
from transactions.ingest.store import Incoming, store_reports
from transactions.ingest.validate import validate_report
from transactions.models import Alert, AuditRule, Report


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


def audit(**kwargs: Any) -> Any:
    return audit_run_now(trigger="test", **kwargs)


def alerts(code: str) -> list[Alert]:
    return list(Alert.objects.filter(rule__code=code).order_by("pk"))


def only_rule(code: str) -> None:
    """Switch every other rule off, so a test sees one rule's findings."""
    AuditRule.objects.exclude(code=code).update(enabled=False)


def set_params(code: str, **params: Any) -> None:
    rule = AuditRule.objects.get(code=code)
    rule.parameters = {**rule.parameters, **params}
    rule.save()


__all__ = ["alerts", "audit", "only_rule", "plant", "reporting_terminal", "set_params"]
