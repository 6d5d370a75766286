"""A merchant records the provider that brought it; one not filed, suspended or blacklisted cannot."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from merchants.models import ApplicationStatus, ProviderStatus, Role, ServiceProvider
from merchants.onboarding.forms import ApplicationForm
from merchants.onboarding.services import application_transition, application_update
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed():
    return ServiceProvider.objects.create(
        name="上海收单服务有限公司", filing_number="SP-OK", status=ProviderStatus.FILED
    )


def _owner_client(client, merchant):
    membership = MembershipFactory(merchant=merchant, role=Role.OWNER)
    client.force_login(membership.user)
    return client


def _application(merchant, **extra):
    form = ApplicationForm(instance=merchant)
    data = {name: form.initial.get(name) or "" for name in form.fields}
    return {**data, **extra}


def test_the_application_records_the_provider(client, filed):
    merchant = MerchantFactory()
    _owner_client(client, merchant)
    response = client.post(
        reverse("merchants:application"), _application(merchant, service_provider=" SP-OK ")
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.service_provider == filed
    assert list(filed.merchants.all()) == [merchant]


@pytest.mark.parametrize(
    ("status", "number", "message"),
    [
        (ProviderStatus.UNFILED, "SP-NEW", "may not sign up"),
        (ProviderStatus.SUSPENDED, "SP-SUS", "may not sign up"),
        (ProviderStatus.BLACKLISTED, "SP-BAD", "may not sign up"),
        (None, "SP-NONE", "No service provider"),
    ],
)
def test_a_provider_that_may_not_bring_merchants_is_a_field_error(client, status, number, message):
    if status is not None:
        ServiceProvider.objects.create(name="某服务商", filing_number=number, status=status)
    merchant = MerchantFactory()
    _owner_client(client, merchant)
    response = client.post(
        reverse("merchants:application"), _application(merchant, service_provider=number)
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["service_provider"])
    merchant.refresh_from_db()
    assert merchant.service_provider is None


def test_the_service_refuses_a_blacklisted_provider_too(filed):
    filed.status = ProviderStatus.BLACKLISTED
    filed.save()
    merchant = MerchantFactory()
    owner = MembershipFactory(merchant=merchant, role=Role.OWNER).user
    with pytest.raises(ValidationError) as caught:
        application_update(merchant=merchant, actor=owner, data={"service_provider": filed})
    assert "service_provider" in caught.value.message_dict


def test_a_provider_blacklisted_meanwhile_stops_submission_and_approval(filed):
    merchant = MerchantFactory(with_documents=True, service_provider=filed)
    owner = MembershipFactory(merchant=merchant, role=Role.OWNER).user
    merchant = application_transition(merchant=merchant, name="submit", actor=owner)
    lead = StaffFactory(groups=["compliance lead"])
    merchant = application_transition(merchant=merchant, name="start_review", actor=lead)
    ServiceProvider.objects.filter(pk=filed.pk).update(status=ProviderStatus.BLACKLISTED)
    with pytest.raises(ValidationError, match="may not sign up"):
        application_transition(merchant=merchant, name="approve", actor=lead)
    merchant.refresh_from_db()
    assert merchant.status == ApplicationStatus.UNDER_REVIEW

    draft = MerchantFactory(with_documents=True, service_provider=filed)
    draft_owner = MembershipFactory(merchant=draft, role=Role.OWNER).user
    with pytest.raises(ValidationError, match="may not sign up"):
        application_transition(merchant=draft, name="submit", actor=draft_owner)


def test_a_merchant_without_a_provider_is_fine(client):
    merchant = MerchantFactory()
    _owner_client(client, merchant)
    response = client.post(reverse("merchants:application"), _application(merchant))
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.service_provider is None
