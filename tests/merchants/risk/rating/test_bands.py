"""Score bands: the level is the highest band the score reaches; bands are edited in admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from merchants.models import HighRiskMcc, RiskLevelPolicy
from merchants.risk.rating.services import DEFAULT_BANDS, band_of, bands
from tests.factories import MerchantFactory, StaffFactory
from tests.merchants.risk.rating.helpers import rate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, "low"),
        (29, "low"),
        (30, "medium"),
        (59, "medium"),
        (60, "high"),
        (89, "high"),
        (90, "prohibited"),
        (500, "prohibited"),
    ],
)
def test_the_default_bands(score, level):
    assert bands() == [(str(code), n) for code, n in DEFAULT_BANDS]
    assert band_of(score, bands()) == level


def test_a_score_below_every_band_is_the_lowest_level():
    assert band_of(3, [("low", 5), ("medium", 10)]) == "low"


def test_moving_a_band_moves_the_merchant():
    HighRiskMcc.objects.update_or_create(mcc="5944", defaults={"category": "x", "points": 40})
    merchant = MerchantFactory(approved=True, mcc="5944")  # 40 + 15 (new) = 55
    assert rate(merchant).computed_level == "medium"
    RiskLevelPolicy.objects.filter(level="high").update(min_score=50)
    assert rate(merchant).computed_level == "high"


@pytest.fixture
def lead_client(client):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    return client


def _edit(client, level, **data):
    policy = RiskLevelPolicy.objects.get(level=level)
    url = reverse("admin:merchants_risklevelpolicy_change", args=[policy.pk])
    fields = {
        "min_score": policy.min_score,
        "per_transaction_limit": policy.per_transaction_limit or "",
        "daily_limit": policy.daily_limit or "",
        "terminal_approval_required": "on" if policy.terminal_approval_required else "",
        "inspection_every_months": policy.inspection_every_months,
    }
    return client.post(url, {**fields, **data})


def test_a_lead_edits_a_band_and_it_is_on_record(lead_client):
    assert _edit(lead_client, "high", min_score=70).status_code == 302
    policy = RiskLevelPolicy.objects.get(level="high")
    assert policy.min_score == 70
    assert policy.history.count() >= 1


def test_a_band_that_would_overtake_the_next_level_is_refused(lead_client):
    response = _edit(lead_client, "medium", min_score=95)
    assert response.status_code == 200
    assert "The bands must rise with the level" in response.content.decode()
    assert RiskLevelPolicy.objects.get(level="medium").min_score == 30


def test_a_lead_edits_a_level_s_inspection_interval_a_year_at_most(lead_client):
    assert _edit(lead_client, "high", inspection_every_months=2).status_code == 302
    policy = RiskLevelPolicy.objects.get(level="high")
    assert policy.inspection_every_months == 2
    assert policy.history.first().inspection_every_months == 2
    response = _edit(lead_client, "low", inspection_every_months=13)
    assert response.status_code == 200 and "12" in str(response.context["adminform"].form.errors)
    assert RiskLevelPolicy.objects.get(level="low").inspection_every_months == 12


def test_a_reviewer_cannot_edit_the_bands(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert _edit(client, "high", min_score=70).status_code == 403
