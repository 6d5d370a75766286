"""Overrides: a compliance lead only, with a reason and an expiry; on record; expired ones stop
applying and are cleared (and recorded) by the next rating."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from merchants.models import ChangeCause, MerchantRisk, RiskLevelChange
from merchants.risk.rating.selectors import level_of
from merchants.risk.rating.services import risk_override, risk_override_clear
from tests.factories import MerchantFactory, StaffFactory
from tests.merchants.risk.rating.helpers import rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant():
    merchant = MerchantFactory(approved=True, approved_at=timezone.now() - timedelta(days=800))
    rate(merchant)
    return merchant


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


def _override(merchant, actor, **kwargs):
    fields = {
        "level": "high",
        "reason": "Police notice about this shop.",
        "expires_at": timezone.now() + timedelta(days=30),
    }
    return risk_override(merchant=merchant, actor=actor, **{**fields, **kwargs})


def test_a_lead_overrides_the_level_until_it_expires(merchant, lead):
    risk = _override(merchant, lead)
    assert (risk.computed_level, risk.level_at()) == ("low", "high")
    assert level_of(merchant_id=merchant.pk) == "high"


def test_a_reviewer_is_refused(merchant):
    with pytest.raises(PermissionDenied):
        _override(merchant, StaffFactory(groups=["compliance reviewer"]))
    assert level_of(merchant_id=merchant.pk) == "low"


def test_a_reason_is_required(merchant, lead):
    with pytest.raises(ValidationError) as exc:
        _override(merchant, lead, reason="   ")
    assert "reason" in exc.value.error_dict


@pytest.mark.parametrize("expires", [None, timedelta(minutes=-1), timedelta(days=400)])
def test_the_expiry_must_be_in_the_future_and_within_a_year(merchant, lead, expires):
    expires_at = None if expires is None else timezone.now() + expires
    with pytest.raises(ValidationError) as exc:
        _override(merchant, lead, expires_at=expires_at)
    assert "expires_at" in exc.value.error_dict
    assert not RiskLevelChange.objects.filter(cause=ChangeCause.OVERRIDE).exists()


def test_an_unknown_level_is_refused(merchant, lead):
    with pytest.raises(ValidationError) as exc:
        _override(merchant, lead, level="extreme")
    assert "level" in exc.value.error_dict


def test_the_override_is_on_record_with_who_why_and_the_factors(merchant, lead):
    _override(merchant, lead)
    change = RiskLevelChange.objects.get(cause=ChangeCause.OVERRIDE)
    assert (change.from_level, change.to_level, change.actor) == ("low", "high", lead)
    assert change.reason == "Police notice about this shop."
    assert change.expires_at is not None
    assert {f["code"] for f in change.factors} >= {"mcc", "alerts"}


def test_an_expired_override_stops_applying_at_once(merchant, lead):
    _override(merchant, lead, expires_at=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=2)
    assert level_of(merchant_id=merchant.pk, now=later) == "low"
    assert MerchantRisk.objects.get(merchant=merchant).level_at(later) == "low"


def test_the_next_rating_clears_an_expired_override_and_records_it(merchant, lead):
    expires = timezone.now() + timedelta(hours=1)
    _override(merchant, lead, expires_at=expires)
    risk = rate(merchant, now=timezone.now() + timedelta(hours=2))
    assert risk.override_level == "" and risk.override_expires_at is None
    change = RiskLevelChange.objects.get(cause=ChangeCause.OVERRIDE_EXPIRED)
    assert (change.from_level, change.to_level, change.created_at) == ("high", "low", expires)


def test_a_rating_leaves_a_live_override_in_force(merchant, lead):
    _override(merchant, lead)
    risk = rate(merchant)
    assert risk.level_at() == "high"
    assert not RiskLevelChange.objects.filter(cause=ChangeCause.RATING, from_level="high").exists()


def test_a_lead_ends_an_override_early_with_a_reason(merchant, lead):
    _override(merchant, lead)
    with pytest.raises(ValidationError):
        risk_override_clear(merchant=merchant, actor=lead, reason="")
    risk = risk_override_clear(merchant=merchant, actor=lead, reason="Notice withdrawn.")
    assert risk.level_at() == "low"
    change = RiskLevelChange.objects.get(cause=ChangeCause.OVERRIDE_CLEARED)
    assert (change.from_level, change.to_level, change.actor) == ("high", "low", lead)


def test_ending_an_override_that_is_not_there_is_refused(merchant, lead):
    with pytest.raises(ValidationError):
        risk_override_clear(merchant=merchant, actor=lead, reason="x")


def test_an_unrated_merchant_is_rated_before_its_override(lead):
    merchant = MerchantFactory(approved=True)
    risk = _override(merchant, lead)
    assert risk.level_at() == "high"
    assert RiskLevelChange.objects.filter(merchant=merchant).count() == 2  # rating, override


def _page(merchant):
    pk = MerchantRisk.objects.get(merchant=merchant).pk
    return reverse("admin:merchants_merchantrisk_override", args=[pk])


def test_the_admin_override_page_refuses_a_reviewer(client, merchant):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert client.get(_page(merchant)).status_code == 403
    response = client.post(
        _page(merchant), {"level": "high", "reason": "x", "expires_at": "2099-01-01T00:00"}
    )
    assert response.status_code == 403
    assert level_of(merchant_id=merchant.pk) == "low"


def test_a_lead_overrides_in_admin_and_sees_form_errors(client, merchant, lead):
    client.force_login(lead)
    until = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(_page(merchant), {"level": "high", "reason": "", "expires_at": until})
    assert bad.status_code == 200 and level_of(merchant_id=merchant.pk) == "low"
    past = client.post(
        _page(merchant), {"level": "high", "reason": "r", "expires_at": "2020-01-01T00:00"}
    )
    assert "The override must expire in the future." in past.content.decode()
    ok = client.post(
        _page(merchant), {"level": "high", "reason": "Police notice", "expires_at": until}
    )
    assert ok.status_code == 302
    assert level_of(merchant_id=merchant.pk) == "high"
    cleared = client.post(_page(merchant), {"clear": "1", "reason": "withdrawn"})
    assert cleared.status_code == 302
    assert level_of(merchant_id=merchant.pk) == "low"


def test_the_rating_page_shows_the_factors_to_a_reviewer(client, merchant):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    pk = MerchantRisk.objects.get(merchant=merchant).pk
    html = client.get(reverse("admin:merchants_merchantrisk_change", args=[pk])).content.decode()
    assert 'data-factor="mcc"' in html and 'data-factor="reporting"' in html
    assert "override-link" not in html


def test_the_merchant_admin_page_shows_the_rating(client, merchant):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    html = client.get(
        reverse("admin:merchants_merchant_change", args=[merchant.pk])
    ).content.decode()
    assert 'data-testid="risk-panel"' in html and 'data-factor="age"' in html
