"""Alerts for the admin tests: made directly (fast, any state) or raised by the real audit."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from tests.factories import MerchantFactory
from tests.transactions.audit.helpers import audit, only_rule, plant, reporting_terminal
from transactions.models import Alert, AlertStatus, AuditRule


class AlertFactory(factory.django.DjangoModelFactory):
    """An alert in any state; the rule rows exist from the migration."""

    class Meta:
        model = Alert

    rule = factory.LazyFunction(lambda: AuditRule.objects.get(code="late_report"))
    merchant = factory.SubFactory(MerchantFactory, approved=True)
    fingerprint = factory.Sequence(lambda n: f"test:{n}")
    severity = "medium"
    status = AlertStatus.OPEN
    explanation = "Received 30 h after the transaction; the deadline is 24 h."
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))


def raised_alerts(count: int = 1) -> list[Alert]:
    """High-severity MCC-jumping alerts raised by one real audit, each with its report and terminal.

    One run for all of them: audits are incremental, so a second run would not see older reports.
    """
    only_rule("mcc_jump")
    terminals = [reporting_terminal() for _ in range(count)]
    for terminal in terminals:
        plant(terminal, mcc="5812")
    audit()
    return [Alert.objects.get(rule__code="mcc_jump", terminal=terminal) for terminal in terminals]


def raised_alert() -> Alert:
    return raised_alerts()[0]
