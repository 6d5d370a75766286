"""Complaints for the tests: a stored report, a default reason, and a complaint in any state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.audit.helpers import plant, reporting_terminal
from transactions.complaints.services import ensure_reasons
from transactions.models import Complaint, ComplaintReason, ComplaintStatus

_rrn = iter(range(10**11, 10**12))


def stored_report(terminal: Any = None, **fields: Any) -> Any:
    """A card sale stored as a terminal would send it, with a fresh RRN unless given."""
    fields.setdefault("rrn", f"{next(_rrn):012d}")
    return plant(terminal or reporting_terminal(), **fields)


def reason(code: str = "wrong_amount") -> ComplaintReason:
    ensure_reasons()
    return ComplaintReason.objects.get(code=code)


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint in any state, made directly (the services are tested on their own)."""

    class Meta:
        model = Complaint

    report = factory.LazyFunction(stored_report)
    merchant = factory.LazyAttribute(lambda c: c.report.merchant)
    reason = factory.LazyFunction(reason)
    description = "The cardholder says the amount is wrong."
    complainant_name = "王小明"
    complainant_phone = "+8613912345678"
    status = ComplaintStatus.RECEIVED
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))


def reviewer() -> Any:
    return StaffFactory(groups=["compliance reviewer"])


def lead() -> Any:
    return StaffFactory(groups=["compliance lead"])


def member(complaint: Complaint, role: str = "owner") -> Any:
    return MembershipFactory(merchant=complaint.merchant, role=role).user
