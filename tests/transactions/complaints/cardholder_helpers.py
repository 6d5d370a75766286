"""Charges as a cardholder sees them, and the form posts of the cardholder's pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.common.beijing import SHANGHAI
from tests.transactions.audit.helpers import shanghai
from tests.transactions.complaint_factories import stored_report
from transactions.complaints.cardholder.sms import LocmemSMSBackend

LOOKUP = "/cardholder/"
TRACK = "/cardholder/track/"


def charge(terminal: Any = None, *, at: datetime | None = None, **fields: Any) -> Any:
    """A card sale two days ago at 14:05 Beijing time, 88.00, card ending 4321, PIN."""
    fields.setdefault("amount", "88.00")
    fields.setdefault("masked_pan", "622848******4321")
    return stored_report(terminal, at=at or shanghai(2, 14, 5), **fields)


def qr_charge(terminal: Any = None, *, rrn: str = "420001234567", **fields: Any) -> Any:
    return charge(terminal, rrn=rrn, method="wechat", masked_pan=None, cvm="none", **fields)


def slip(report: Any, **overrides: Any) -> dict[str, str]:
    """What the cardholder types for ``report``: its Beijing date and minute, amount, digits, TID."""
    local = report.occurred_at.astimezone(SHANGHAI)
    data = {
        "day": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "amount": str(report.amount),
        "last4": report.last4,
        "order_no": "",
        "tid": report.tid,
        "merchant_name": "",
    }
    data.update(overrides)
    return data


def sms_outbox() -> list[tuple[str, str]]:
    return LocmemSMSBackend.outbox


def complain_url(report: Any) -> str:
    from transactions.complaints.cardholder.tokens import charge_token

    return f"/cardholder/complaint/{charge_token(report)}/"


def ask_code(client: Any, report: Any, **contact: str) -> tuple[str, str, str]:
    """Step 1 of a complaint: (charge URL, ticket, code as it arrived by e-mail or SMS)."""
    import re

    from django.core import mail

    url = complain_url(report)
    contact = contact or {"email": "card.holder@example.com"}
    response = client.post(url, {"phone": "", "email": ""} | contact)
    assert response.status_code == 200, response.content
    ticket = response.context["form"].initial["ticket"]
    sent = mail.outbox[-1].body if contact.get("email") else sms_outbox()[-1][1]
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sent).group(1)
    return url, ticket, code


def complaint_post(ticket: str, code: str, /, **overrides: Any) -> dict[str, Any]:
    from transactions.complaints.services import ensure_reasons
    from transactions.models import ComplaintReason

    ensure_reasons()
    data = {
        "ticket": ticket,
        "code": code,
        "reason": str(ComplaintReason.objects.get(code="duplicate_charge").pk),
        "description": "I was charged twice for one purchase.",
    }
    data.update(overrides)
    return data


def submit(client: Any, report: Any, **overrides: Any) -> Any:
    """The whole complaint by e-mail: code, then the form; returns the final response."""
    url, ticket, code = ask_code(client, report)
    return client.post(url + "send/", complaint_post(ticket, code, **overrides))
