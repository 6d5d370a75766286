"""Signed terminal requests and report payloads for the API tests."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from merchants.models import ReportingSettings
from merchants.terminals.services import terminal_key_issue
from tests.factories import TerminalFactory
from transactions.api.authentication import sign
from transactions.ingest.wire import FIELDS

REPORTS = "/api/v1/terminal/reports/"
BATCH = "/api/v1/terminal/reports/batch/"
CONFIG = "/api/v1/terminal/config/"


class TerminalAPI:
    """A terminal in the field: its key, and a client that signs every request as API.md says."""

    def __init__(self, client: Any, terminal: Any = None) -> None:
        self.client = client
        self.terminal = terminal or reporting_terminal()
        self.key, self.secret = terminal_key_issue(terminal=self.terminal)

    def headers(
        self,
        method: str,
        path: str,
        body: bytes,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        return {
            "HTTP_X_TERMINAL_KEY": self.key.key_id,
            "HTTP_X_TIMESTAMP": ts,
            "HTTP_X_SIGNATURE": sign(secret or self.secret, ts, method, path, body),
        }

    def post(
        self,
        path: str,
        payload: Any,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        **kw: Any,
    ) -> Any:
        body = raw if raw is not None else json.dumps(payload).encode()
        return self.client.post(
            path, body, content_type=content_type, **self.headers("POST", path, body, **kw)
        )

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **self.headers("GET", path, b"", **kw))


def reporting_terminal(**kwargs: Any) -> Any:
    """An active terminal of an approved merchant with reporting on."""
    terminal = TerminalFactory(active=True, **kwargs)
    ReportingSettings.objects.update_or_create(
        merchant=terminal.merchant, defaults={"enabled": True}
    )
    return terminal


def report(terminal: Any = None, **overrides: Any) -> dict[str, Any]:
    """A valid card sale as a terminal would send it."""
    data = {
        "report_id": str(uuid.uuid4()),
        "occurred_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
        "amount": "128.50",
        "currency": "CNY",
        "type": "sale",
        "method": "credit_card",
        "masked_pan": "622848******1234",
        "card_token": "tok_8f3a9c",
        "rrn": "331234567890",
        "trace_no": "000123",
        "batch_no": "000001",
        "auth_code": "A1B2C3",
        "mcc": terminal.merchant.mcc if terminal else "5411",
        "acquirer_mid": (terminal.merchant.mid if terminal else None) or "898310054110001",
        "tid": (terminal.tid if terminal else None) or "10000001",
        "lat": 31.235929,
        "lng": 121.506058,
        "cvm": "pin",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def report_csv(rows: list[dict[str, Any]]) -> bytes:
    """A batch file of ``rows`` (report dicts), UTF-8, with the API's field names as its header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
