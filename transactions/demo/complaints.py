"""Demo complaints: one awaiting the answer of ``shop-sh``, one upheld with a partial refund."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from merchants.accounts.groups import sync_staff_groups
from transactions.complaints.services import (
    complaint_answer,
    complaint_record,
    complaint_transition,
    complaint_uphold,
    ensure_reasons,
)
from transactions.models import CARD_METHODS, Complaint, ComplaintOutcome, ComplaintReason, Report


@transaction.atomic
def seed_complaints() -> int:
    """Record the two demo complaints once (nothing if ``shop-sh`` has complaints or no sales)."""
    User = get_user_model()
    staff = User.objects.filter(username__in=["reviewer", "lead", "shop-sh"]).in_bulk(
        field_name="username"
    )
    if len(staff) < 3:
        return 0
    reviewer, lead, owner = staff["reviewer"], staff["lead"], staff["shop-sh"]
    sales = Report.objects.filter(
        merchant__memberships__user=owner,
        type="sale",
        method__in=CARD_METHODS,
        amount__gte=Decimal("20.00"),
    ).order_by("occurred_at", "pk")
    if Complaint.objects.filter(merchant__memberships__user=owner).exists() or sales.count() < 2:
        return 0
    ensure_reasons()
    # The groups' complaint permissions come with a data migration; a database seeded before it
    # (or built without migrations) gets them here, from the same list.
    sync_staff_groups(Group, Permission)
    asked = complaint_record(
        report=sales[0],
        reason=ComplaintReason.objects.get(code="no_signature_pin"),
        description="持卡人称未输入密码也未签名。The cardholder says there was neither PIN nor signature.",
        actor=reviewer,
        complainant_name="王小明",
        complainant_phone="13912345678",
    )
    complaint_transition(
        complaint=asked,
        name="ask_merchant",
        actor=reviewer,
        reason="请上传持卡人签名的签购单。Please upload the slip the cardholder signed.",
    )
    upheld = complaint_record(
        report=sales[1],
        reason=ComplaintReason.objects.get(code="wrong_amount"),
        description="持卡人称多收了10元。The cardholder was charged 10 yuan too much.",
        actor=reviewer,
        complainant_name="李华",
        complainant_email="lihua@example.cn",
    )
    complaint_transition(
        complaint=upheld,
        name="ask_merchant",
        actor=reviewer,
        reason="请核对金额。Check the amount.",
    )
    complaint_answer(
        complaint=upheld, actor=owner, text="收银员输错金额，同意退款。The cashier mistyped it."
    )
    complaint_transition(complaint=upheld, name="review", actor=reviewer)
    complaint_uphold(
        complaint=upheld,
        actor=lead,
        reason="商户确认多收。The merchant confirms the overcharge.",
        outcome=ComplaintOutcome.REFUND,
        refund_amount=Decimal("10.00"),
    )
    return 2
