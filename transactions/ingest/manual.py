"""Manual entry: a merchant types a transaction in; the API's rules apply unchanged."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from merchants.models import Merchant, Terminal
from transactions.ingest.reporting import require_reporting
from transactions.ingest.store import Incoming, store_reports
from transactions.ingest.validate import Errors, validate_report
from transactions.models import Report, Source


def report_enter_manually(
    *, merchant: Merchant, terminal: Terminal, raw: dict[str, Any]
) -> tuple[Report | None, Errors]:
    """Store the report (once, even if the form is sent twice) or return its errors."""
    require_reporting(merchant)
    valid, errors = validate_report(raw, now=timezone.now())
    if valid is None:
        return None, errors
    result = store_reports([Incoming(0, terminal.pk, merchant.pk, valid)], source=Source.MANUAL)
    if result.conflicts:
        return None, {
            "report_id": ["This form was already used for another report; start a new one."]
        }
    return Report.objects.get(terminal=terminal, report_id=valid.report_id), {}
