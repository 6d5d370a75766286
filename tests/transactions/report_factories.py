"""Reports for the report list, detail and export tests: made directly, fast, with chosen values.

``Report.objects.create`` skips ingestion (and so the daily rollups); tests of what ingestion
does plant reports through it instead (tests/transactions/audit/helpers.py).
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from merchants.models import Role
from tests.factories import MembershipFactory
from tests.transactions.helpers import reporting_terminal
from transactions.models import Report

_serial = itertools.count(1)


def make_report(terminal: Any, **fields: Any) -> Report:
    """One report of ``terminal``; unique RRN and trace number unless given."""
    n = next(_serial)
    values: dict[str, Any] = {
        "report_id": uuid.uuid4(),
        "occurred_at": timezone.now() - timedelta(hours=1),
        "amount": Decimal("100.00"),
        "type": "sale",
        "method": "credit_card",
        "masked_pan": "622848******0000",
        "rrn": f"{700000000000 + n:012d}",
        "trace_no": f"{(500000 + n) % 1000000:06d}",
        "batch_no": "000001",
        "mcc": "5411",
        "acquirer_mid": terminal.merchant.mid or "898310054110001",
        "tid": terminal.tid,
        "cvm": "pin",
        "source": "api",
    }
    values.update(fields)
    values["content_hash"] = hashlib.sha256(str(values).encode()).hexdigest()
    return Report.objects.create(terminal=terminal, merchant=terminal.merchant, **values)


def make_reports(terminal: Any, count: int, *, start: datetime | None = None) -> list[Report]:
    """``count`` reports one minute apart, oldest first, amounts 1.00, 2.00, …"""
    start = start or timezone.now() - timedelta(days=1)
    return [
        make_report(
            terminal, occurred_at=start + timedelta(minutes=i), amount=Decimal(f"{i + 1}.00")
        )
        for i in range(count)
    ]


def signed_in_shop(client: Client, role: str = Role.OWNER) -> dict[str, Any]:
    """A reporting merchant's terminal, with a member signed in on ``client``."""
    terminal = reporting_terminal()
    membership = MembershipFactory(merchant=terminal.merchant, role=role)
    client.force_login(membership.user)
    return {"terminal": terminal, "merchant": terminal.merchant, "user": membership.user}
