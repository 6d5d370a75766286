"""Django admin of the transactions app: reports and uploads, the alert review queue, holds, audits."""

from . import alerts, audits, holds, reports

__all__ = ["alerts", "audits", "holds", "reports"]
