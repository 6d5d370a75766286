"""The merchant's own level in plain words, in both languages, and only its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.models import HighRiskMcc, Role
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory
from tests.merchants.risk.rating.helpers import rate

pytestmark = pytest.mark.django_db

URL = reverse("merchants:risk_level")


def _signed_in(client, **merchant_fields):
    merchant = MerchantFactory(
        approved=True, approved_at=timezone.now() - timedelta(days=800), **merchant_fields
    )
    membership = MembershipFactory(merchant=merchant, role=Role.VIEWER)
    client.force_login(membership.user)
    return merchant


def test_an_unrated_merchant_is_told_so(client):
    _signed_in(client)
    html = client.get(URL).content.decode()
    assert "has not been rated yet" in html


def test_a_high_risk_merchant_reads_its_level_limits_and_what_to_do(client):
    HighRiskMcc.objects.update_or_create(mcc="5944", defaults={"category": "x", "points": 65})
    merchant = _signed_in(client, mcc="5944")
    rate(merchant)
    html = client.get(URL).content.decode()
    assert 'data-testid="risk-level">High<' in html
    assert "new terminals must be approved by compliance" in html
    assert "¥10000.00" in html  # the high level's per-sale limit from the migration
    assert "often misused for cash-out" in html  # the tip for the factor that scored


def test_the_page_is_in_chinese_too(client):
    merchant = _signed_in(client)
    rate(merchant)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(URL).content.decode()
    assert "您的风险等级" in html and 'data-testid="risk-level">低<' in html


def test_a_merchant_sees_only_its_own_level(client):
    HighRiskMcc.objects.update_or_create(mcc="5944", defaults={"category": "x", "points": 95})
    other = MerchantFactory(approved=True, mcc="5944")
    rate(other)
    merchant = _signed_in(client)
    rate(merchant)
    html = client.get(URL, {"merchant": other.pk, "pk": other.pk}).content.decode()
    assert 'data-testid="risk-level">Low<' in html
    assert "Prohibited" not in html and str(other) not in html


def test_staff_without_a_merchant_are_sent_to_admin(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert client.get(URL).status_code == 302


def test_anonymous_visitors_must_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
