"""Registers each feature's Django admin (autodiscover imports this module)."""

from transactions.alerts import admin as alerts
from transactions.analytics import admin as analytics
from transactions.archive import admin as archive
from transactions.audit import admin as audit
from transactions.audit import level_admin as level_thresholds
from transactions.complaints import admin as complaints
from transactions.decisions import admin as decisions
from transactions.exchange.regulator import admin as regulator
from transactions.exchange.webhooks import admin as webhooks
from transactions.ingest import admin as ingest
from transactions.partitions import admin as partitions
from transactions.reconciliation import admin as reconciliation
from transactions.reports import admin as reports
from transactions.rules import admin as rules
from transactions.rules import snooze_admin as snoozes

__all__ = [
    "alerts",
    "analytics",
    "archive",
    "audit",
    "complaints",
    "decisions",
    "ingest",
    "level_thresholds",
    "partitions",
    "reconciliation",
    "regulator",
    "reports",
    "rules",
    "snoozes",
    "webhooks",
]
