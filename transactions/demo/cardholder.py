"""Demo cardholder complaint: one filed on the public pages, followed with a published code.

A real tracking code is random and reaches only the cardholder; the demo's is fixed and printed
by ``seed_demo`` (and in the README) so a visitor can open ``/cardholder/track/`` and follow it.
Only its hash is stored, as for any other. The proof step (the code sent to the cardholder's
phone) is what the demo leaves out: the complaint goes through ``complaint_create``, the service
``cardholder_complaint_submit`` hands the proven complaint to, with the same channel and hash.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from transactions.complaints.cardholder.services import complaint_for_tracking
from transactions.complaints.cardholder.tokens import tracking_hash
from transactions.complaints.services import (
    complaint_create,
    complaint_transition,
    ensure_reasons,
)
from transactions.models import CARD_METHODS, ComplaintChannel, ComplaintReason, Report

DEMO_TRACKING_CODE = "demo-cardholder-2026"
DEMO_TRACKING_PATH = f"/cardholder/track/{DEMO_TRACKING_CODE}/"


@transaction.atomic
def seed_cardholder_complaint() -> int:
    """File the cardholder's complaint against a ``shop-bj`` sale once; the reviewer asks the
    merchant, so the tracking page shows it under way. Nothing without the demo's sales."""
    if complaint_for_tracking(code=DEMO_TRACKING_CODE) is not None:
        return 0
    reviewer = get_user_model().objects.filter(username="reviewer").first()
    sale = (
        Report.objects.filter(
            merchant__memberships__user__username="shop-bj",
            type="sale",
            method__in=CARD_METHODS,
            amount__gte=Decimal("20.00"),
            complaints__isnull=True,
        )
        .order_by("occurred_at", "pk")
        .first()
    )
    if reviewer is None or sale is None:
        return 0
    ensure_reasons()
    complaint = complaint_create(
        report=sale,
        reason=ComplaintReason.objects.get(code="duplicate_charge"),
        description=(
            "同一笔消费被扣了两次，请核实。I was charged twice for the same purchase; please check."
        ),
        complainant_name="",
        complainant_phone="",
        complainant_email="cardholder@example.cn",
        files=[],
        actor=None,
        channel=ComplaintChannel.CARDHOLDER,
        tracking_hash=tracking_hash(DEMO_TRACKING_CODE),
    )
    complaint_transition(
        complaint=complaint,
        name="ask_merchant",
        actor=reviewer,
        reason="请说明是否重复扣款。Please say whether the card was charged twice.",
    )
    return 1
