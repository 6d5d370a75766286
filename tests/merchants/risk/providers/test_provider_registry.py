"""The service provider registry: filing, suspending, blacklisting, each step on record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from merchants.models import ProviderStatus, ServiceProvider
from merchants.risk.providers.services import provider_transition
from tests.factories import MerchantFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _provider(**fields) -> ServiceProvider:
    defaults = {"name": "上海收单服务有限公司", "filing_number": "SP-2026-0001"}
    return ServiceProvider.objects.create(**{**defaults, **fields})


def _lead():
    return StaffFactory(groups=["compliance lead"])


def test_filing_then_suspending_then_reinstating_is_recorded():
    provider, lead = _provider(), _lead()
    provider = provider_transition(provider=provider, name="file", actor=lead)
    provider = provider_transition(provider=provider, name="suspend", actor=lead, reason="audit")
    provider = provider_transition(provider=provider, name="reinstate", actor=lead, reason="ok")
    assert provider.status == ProviderStatus.FILED
    steps = list(provider.transitions.values_list("to_status", "actor", "reason"))
    assert steps == [
        ("filed", lead.pk, ""),
        ("suspended", lead.pk, "audit"),
        ("filed", lead.pk, "ok"),
    ]
    assert provider.history.count() == 4


def test_a_provider_without_a_filing_number_cannot_be_filed():
    provider = _provider(filing_number="")
    with pytest.raises(ValidationError, match="filing number"):
        provider_transition(provider=provider, name="file", actor=_lead())


def test_blacklisting_needs_a_reason_and_is_final():
    provider, lead = _provider(), _lead()
    with pytest.raises(ValidationError, match="reason"):
        provider_transition(provider=provider, name="blacklist", actor=lead)
    provider = provider_transition(provider=provider, name="blacklist", actor=lead, reason="fraud")
    for name in ("file", "reinstate", "suspend"):
        with pytest.raises(ValidationError):
            provider_transition(provider=provider, name=name, actor=lead, reason="x")


def test_only_leads_move_providers():
    provider = _provider()
    with pytest.raises(PermissionDenied):
        provider_transition(
            provider=provider, name="file", actor=StaffFactory(groups=["compliance reviewer"])
        )


def test_a_filing_number_is_unique():
    _provider()
    with pytest.raises(IntegrityError), transaction.atomic():
        _provider(name="another")


def test_only_a_filed_provider_may_bring_merchants():
    assert not _provider(filing_number="A").may_bring_merchants
    assert _provider(filing_number="B", status=ProviderStatus.FILED).may_bring_merchants
    assert not _provider(filing_number="C", status=ProviderStatus.SUSPENDED).may_bring_merchants
    assert not _provider(filing_number="D", status=ProviderStatus.BLACKLISTED).may_bring_merchants


def test_the_providers_page_lists_its_merchants(client):
    provider = _provider(status=ProviderStatus.FILED)
    brought = MerchantFactory(approved=True, service_provider=provider)
    other = MerchantFactory(approved=True)
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    html = client.get(
        reverse("admin:merchants_serviceprovider_change", args=[provider.pk])
    ).content.decode()
    assert brought.mid in html and other.mid not in html
    listing = client.get(reverse("admin:merchants_serviceprovider_changelist"))
    assert listing.status_code == 200


def test_a_lead_files_a_provider_from_the_admin_list(client):
    provider = _provider()
    client.force_login(_lead())
    client.post(
        reverse("admin:merchants_serviceprovider_changelist"),
        {"action": "file", "_selected_action": [provider.pk]},
    )
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.FILED


def test_the_status_cannot_be_edited_in_the_form(client):
    provider = _provider()
    client.force_login(_lead())
    url = reverse("admin:merchants_serviceprovider_change", args=[provider.pk])
    client.post(url, {"name": provider.name, "filing_number": "SP-1", "status": "filed"})
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.UNFILED
