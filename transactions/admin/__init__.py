"""Django admin of the transactions app: reports and uploads, the alert review queue, holds, audits."""

from . import alerts, audits, complaints, holds, overview, reconciliation, reports

__all__ = ["alerts", "audits", "complaints", "holds", "overview", "reconciliation", "reports"]
