"""The compliance overview's portfolio by risk level: a chart's data and its table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.models import MerchantRisk
from tests.factories import MerchantFactory, StaffFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:transactions_complianceoverview_changelist")


def _rated(level, **fields):
    merchant = MerchantFactory(approved=True)
    MerchantRisk.objects.create(
        merchant=merchant,
        score=0,
        computed_level=level,
        factors=[],
        computed_at=timezone.now(),
        **fields,
    )
    return merchant


def test_approved_merchants_are_counted_by_the_level_in_force(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    _rated("low")
    _rated("low")
    _rated("high")
    _rated(
        "low", override_level="prohibited", override_expires_at=timezone.now() + timedelta(days=1)
    )
    _rated("low", override_level="high", override_expires_at=timezone.now() - timedelta(days=1))
    MerchantFactory(approved=True)  # not rated yet
    MerchantFactory()  # a draft is not in the portfolio
    response = client.get(URL)
    rows = {row.level: row.count for row in response.context["overview"].levels}
    assert rows == {"low": 3, "medium": 0, "high": 1, "prohibited": 1, "": 1}
    assert response.context["charts"]["levels"][:4] == [
        ["Low", 3],
        ["Medium", 0],
        ["High", 1],
        ["Prohibited", 1],
    ]
    html = response.content.decode()
    assert 'id="chart-levels"' in html and 'data-testid="table-levels"' in html
    assert "?level=high" in html
