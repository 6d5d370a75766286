"""Demo re-verification and service providers: a registry, a change under review, one applied.

Through the same services as the portal and admin, so the demo shows real trails: ``shop-sh``'s
move to a new business address is under review (the ``lead`` can approve it: the ``reviewer``
started it and the owner asked), and ``shop-bj``'s new settlement account was approved.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from merchants.models import ChangeKind, ChangeRequest, Merchant, ServiceProvider
from merchants.onboarding.services import application_update
from merchants.risk.changes.services import change_request_create, change_request_transition
from merchants.risk.providers.services import provider_transition

PDF = b"%PDF-1.4\n%demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@transaction.atomic
def seed_change_requests() -> None:
    """Create the demo providers and change requests unless they are there."""
    if ServiceProvider.objects.exists() or ChangeRequest.objects.exists():
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_USERS)}
    if set(users) != set(_USERS):
        return  # seed_demo's merchants and staff come first
    lead, reviewer = users["lead"], users["reviewer"]
    filed = ServiceProvider.objects.create(
        name="沪联收单服务有限公司", filing_number="PCAC-SP-2024-0310"
    )
    filed = provider_transition(provider=filed, name="file", actor=lead)
    banned = ServiceProvider.objects.create(
        name="速通支付代理有限公司", filing_number="PCAC-SP-2023-0077"
    )
    provider_transition(provider=banned, name="file", actor=lead)
    provider_transition(
        provider=banned,
        name="blacklist",
        actor=lead,
        reason="套现商户集中拓展 / cash-out merchants",
    )
    drafting = Merchant.objects.get(memberships__user=users["shop-wh"])
    application_update(merchant=drafting, actor=users["shop-wh"], data={"service_provider": filed})

    shop_sh = Merchant.objects.get(memberships__user=users["shop-sh"])
    moving = change_request_create(
        merchant=shop_sh,
        actor=users["shop-sh"],
        kind=ChangeKind.BUSINESS_ADDRESS,
        data={
            "business_province": "31",
            "business_city": "上海市",
            "business_district": "浦东新区",
            "business_address": "张杨路500号",
        },
        reason="门店搬迁 / the shop moved",
        documents=[SimpleUploadedFile("lease.pdf", PDF, content_type="application/pdf")],
        contact_phone="13800138000",
    )
    change_request_transition(change=moving, name="start_review", actor=reviewer)

    shop_bj = Merchant.objects.get(memberships__user=users["shop-bj"])
    account = change_request_create(
        merchant=shop_bj,
        actor=users["shop-bj"],
        kind=ChangeKind.SETTLEMENT_ACCOUNT,
        data={
            "bank_name": "中国建设银行",
            "bank_account_holder": shop_bj.legal_name,
            "bank_account_number": "6217000010001234567",
        },
        reason="结算账户变更 / new settlement account",
        documents=[SimpleUploadedFile("bank.pdf", PDF, content_type="application/pdf")],
    )
    change_request_transition(change=account, name="start_review", actor=reviewer)
    change_request_transition(
        change=account,
        name="approve",
        actor=lead,
        reason="银行开户证明已核对 / bank letter checked",
    )


_USERS = ("lead", "reviewer", "shop-sh", "shop-bj", "shop-wh")
