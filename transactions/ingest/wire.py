"""The report's wire format (shared/API.md): its fields, and a stored report written back in it.

The one list of a report's fields: validation (``validate.py``), storage (``store.py``'s COPY
columns), batch files and the API's answers read it from here; the OpenAPI serializer that
documents them is checked against it (tests/transactions/api/test_openapi.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.utils import timezone

from transactions.models import Report

FIELDS = (
    "report_id",
    "occurred_at",
    "amount",
    "currency",
    "type",
    "method",
    "masked_pan",
    "card_token",
    "rrn",
    "trace_no",
    "batch_no",
    "auth_code",
    "mcc",
    "acquirer_mid",
    "tid",
    "lat",
    "lng",
    "cvm",
    "original_report_id",
)
REQUIRED = frozenset(
    {
        "report_id",
        "occurred_at",
        "amount",
        "type",
        "method",
        "rrn",
        "trace_no",
        "mcc",
        "acquirer_mid",
        "tid",
        "cvm",
    }
)
FIELD_SET = frozenset(FIELDS)


def report_wire(report: Report) -> dict[str, Any]:
    """A stored report as the terminal may see it: its wire fields plus when and how it came.

    Optional fields the report does not have are left out, as a terminal leaves them out.
    """
    data = {
        name: _wire_value(name, value)
        for name in FIELDS
        if (value := getattr(report, name)) is not None and value != ""
    }
    data["received_at"] = timezone.localtime(report.received_at).isoformat()
    data["source"] = report.source
    return data


def _wire_value(name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if name == "amount":
        return f"{value:.2f}"
    if name in ("lat", "lng"):
        return float(value)
    return value
