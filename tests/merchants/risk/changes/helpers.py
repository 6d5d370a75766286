"""Shared set-up for the change request tests: an approved merchant, its owner, valid proposals."""

from __future__ import annotations

from typing import Any

from merchants.models import ChangeKind, ChangeRequest, Role
from merchants.risk.changes.services import change_request_create, change_request_transition
from portal.common.masking import mask_id_number
from tests.factories import (
    MembershipFactory,
    MerchantFactory,
    StaffFactory,
    make_id_number,
    make_uscc,
    pdf_upload,
)

NEW_ID = make_id_number(4242)
NEW_ACCOUNT = "6217001234567895555"

# A valid proposal per kind: what is typed, and what the merchant's columns hold once approved.
PROPOSALS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    ChangeKind.LEGAL_NAME: (
        {"legal_name": "上海新名商贸有限公司"},
        {"legal_name": "上海新名商贸有限公司"},
    ),
    ChangeKind.USCC: ({"uscc": make_uscc(4242)}, {"uscc": make_uscc(4242)}),
    ChangeKind.LEGAL_REP: (
        {"legal_rep_name": "王五", "legal_rep_id_number": NEW_ID},
        {"legal_rep_name": "王五", "legal_rep_id_masked": mask_id_number(NEW_ID)},
    ),
    ChangeKind.SETTLEMENT_ACCOUNT: (
        {
            "bank_name": "中国银行",
            "bank_account_holder": "上海新名商贸有限公司",
            "bank_account_number": NEW_ACCOUNT,
        },
        {
            "bank_name": "中国银行",
            "bank_account_holder": "上海新名商贸有限公司",
            "bank_account_last4": "5555",
            "bank_account_number": NEW_ACCOUNT,
        },
    ),
    ChangeKind.MCC: ({"mcc": "5812"}, {"mcc": "5812"}),
    ChangeKind.REGISTERED_ADDRESS: (
        {
            "registered_province": "11",
            "registered_city": "北京市",
            "registered_district": "朝阳区",
            "registered_address": "建国路1号",
        },
        {
            "registered_province": "11",
            "registered_city": "北京市",
            "registered_district": "朝阳区",
            "registered_address": "建国路1号",
        },
    ),
    ChangeKind.BUSINESS_ADDRESS: (
        {
            "business_province": "32",
            "business_city": "苏州市",
            "business_district": "姑苏区",
            "business_address": "拙政园路2号",
        },
        {
            "business_province": "32",
            "business_city": "苏州市",
            "business_district": "姑苏区",
            "business_address": "拙政园路2号",
        },
    ),
}


def owned_merchant(**merchant: Any):
    """An approved merchant and its owner's membership."""
    membership = MembershipFactory(
        merchant=MerchantFactory(approved=True, **merchant), role=Role.OWNER
    )
    return membership.merchant, membership.user


def ask(merchant, owner, kind: str = ChangeKind.LEGAL_NAME, data=None, **extra) -> ChangeRequest:
    return change_request_create(
        merchant=merchant,
        actor=owner,
        kind=kind,
        data=PROPOSALS[kind][0] if data is None else data,
        reason=extra.pop("reason", "公司更名 / renamed"),
        documents=extra.pop("documents", [pdf_upload()]),
        **extra,
    )


def lead(**kwargs):
    return StaffFactory(groups=["compliance lead"], **kwargs)


def reviewer(**kwargs):
    return StaffFactory(groups=["compliance reviewer"], **kwargs)


def review(change: ChangeRequest, by=None) -> ChangeRequest:
    return change_request_transition(change=change, name="start_review", actor=by or reviewer())


def approve(change: ChangeRequest, by=None, reason: str = "") -> ChangeRequest:
    return change_request_transition(
        change=change, name="approve", actor=by or lead(), reason=reason
    )
