"""Providers' merchants' risk rolled up to the provider: each figure, the flag for review and
its threshold, the admin list and page, and the rating factor ``provider``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.models import Merchant, MerchantRisk, ProviderStatus, ServiceProvider
from merchants.risk.providers.rollup import flagged_providers, rollup_of, with_risk
from tests.factories import MerchantFactory, StaffFactory
from tests.merchants.risk.rating.helpers import factor
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.complaint_factories import ComplaintFactory
from transactions.models import AlertStatus, AlertTransition, ComplaintStatus

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10**6))


def _provider(**fields) -> ServiceProvider:
    defaults = {
        "name": "上海收单服务有限公司",
        "filing_number": f"SP-{next(_numbers):05d}",
        "status": ProviderStatus.FILED,
    }
    return ServiceProvider.objects.create(**{**defaults, **fields})


def _merchant(provider: ServiceProvider, level: str | None, **risk) -> Merchant:
    merchant = MerchantFactory(approved=True, service_provider=provider)
    if level is not None:
        MerchantRisk.objects.create(
            merchant=merchant, score=0, computed_level=level, computed_at=timezone.now(), **risk
        )
    return merchant


def test_the_rollup_counts_approved_merchants_by_level_in_force():
    provider = _provider()
    for level in ("low", "low", "medium", "high", None):
        _merchant(provider, level)
    # A live override counts at its level, an expired one at the computed level.
    _merchant(
        provider,
        "low",
        override_level="prohibited",
        override_expires_at=timezone.now() + timedelta(days=1),
    )
    _merchant(
        provider,
        "medium",
        override_level="prohibited",
        override_expires_at=timezone.now() - timedelta(days=1),
    )
    MerchantFactory(service_provider=provider)  # an applicant: not counted
    _merchant(_provider(), "high")  # another provider's
    rollup = rollup_of(provider)
    assert rollup.by_level == {"low": 2, "medium": 2, "high": 1, "prohibited": 1}
    assert (rollup.merchants, rollup.unrated, rollup.risky) == (7, 1, 2)
    assert rollup.share_percent == "33.3 %"


def test_a_provider_without_rated_merchants_has_no_share_and_no_flag():
    provider = _provider()
    _merchant(provider, None)
    rollup = rollup_of(provider)
    assert (rollup.share, rollup.flagged, rollup.share_percent) == (None, False, "—")


def test_a_provider_above_the_threshold_is_flagged_and_one_at_it_is_not():
    at = _provider()
    for level in ("high", "low", "low", "low", "low"):  # 20 %
        _merchant(at, level)
    above = _provider()
    for level in ("prohibited", "low", "low", "low"):  # 25 %
        _merchant(above, level)
    assert (rollup_of(at).flagged, rollup_of(above).flagged) == (False, True)
    assert flagged_providers(ServiceProvider.objects.all()) == {above.pk}


def test_the_threshold_is_a_setting(settings):
    provider = _provider()
    for level in ("high", "low", "low", "low"):
        _merchant(provider, level)
    settings.PROVIDER_REVIEW_HIGH_RISK_PERCENT = 30
    assert not rollup_of(provider).flagged
    assert not with_risk(ServiceProvider.objects.filter(pk=provider.pk)).get().flagged
    settings.PROVIDER_REVIEW_HIGH_RISK_PERCENT = 10
    assert rollup_of(provider).flagged
    annotated = with_risk(ServiceProvider.objects.filter(pk=provider.pk)).get()
    assert (annotated.rated, annotated.risky, annotated.flagged) == (4, 1, True)


def test_confirmed_alerts_and_upheld_complaints_of_its_merchants_in_90_days_are_counted():
    provider = _provider()
    merchant = _merchant(provider, "low")
    recent = AlertFactory(merchant=merchant, status=AlertStatus.CONFIRMED)
    AlertTransition.objects.create(alert=recent, from_status="in_review", to_status="confirmed")
    old = AlertFactory(merchant=merchant, status=AlertStatus.CONFIRMED)
    step = AlertTransition.objects.create(alert=old, from_status="in_review", to_status="confirmed")
    AlertTransition.objects.filter(pk=step.pk).update(
        created_at=timezone.now() - timedelta(days=91)
    )
    AlertFactory(merchant=merchant, status=AlertStatus.OPEN)
    complaint = ComplaintFactory(status=ComplaintStatus.UPHELD, resolved_at=timezone.now())
    Merchant.objects.filter(pk=complaint.merchant_id).update(service_provider=provider)
    ComplaintFactory(status=ComplaintStatus.UPHELD, resolved_at=timezone.now())  # not its
    assert rollup_of(provider).figures == {"alerts": 1, "complaints": 1}


def test_the_admin_list_shows_the_share_and_filters_the_flagged(client):
    flagged = _provider(name="风险服务商")
    _merchant(flagged, "high")
    fine = _provider(name="良好服务商")
    _merchant(fine, "low")
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    url = reverse("admin:merchants_serviceprovider_changelist")
    page = client.get(url)
    assert "1 (100.0 %)" in page.content.decode()
    assert list(client.get(url, {"flagged": "yes"}).context["cl"].result_list) == [flagged]
    assert list(client.get(url, {"flagged": "no"}).context["cl"].result_list) == [fine]
    assert client.get(url, {"o": "6"}).status_code == 200  # sorted by the share


def test_the_providers_page_shows_its_rollup(client):
    provider = _provider()
    _merchant(provider, "prohibited")
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    html = client.get(
        reverse("admin:merchants_serviceprovider_change", args=[provider.pk])
    ).content.decode()
    assert 'data-testid="provider-rollup"' in html and 'data-testid="provider-flagged"' in html


@pytest.mark.parametrize(
    ("status", "points"),
    [
        (ProviderStatus.FILED, 0),
        (ProviderStatus.SUSPENDED, 15),
        (ProviderStatus.BLACKLISTED, 30),
    ],
)
def test_the_providers_standing_counts_in_its_merchants_rating(status, points):
    provider = _provider(status=status)
    merchant = MerchantFactory(approved=True, service_provider=provider)
    entry = factor(merchant, "provider")
    assert entry["points"] == points
    if points:
        assert provider.name in entry["params"]["provider"]


def test_a_flagged_provider_counts_in_its_merchants_rating():
    provider = _provider()
    for level in ("high", "high", "low"):
        _merchant(provider, level)
    merchant = _merchant(provider, "low")
    assert factor(merchant, "provider")["points"] == 15


def test_a_merchant_without_a_provider_scores_nothing_for_it():
    assert factor(MerchantFactory(approved=True), "provider")["points"] == 0
