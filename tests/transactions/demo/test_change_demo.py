"""The demo shows a change under review, one applied, and the provider registry."""

from io import StringIO

import pytest
from django.core.management import call_command

from merchants.models import ChangeRequest, ChangeStatus, Merchant, ProviderStatus, ServiceProvider

pytestmark = pytest.mark.django_db


def test_seed_demo_records_change_requests_and_providers_once():
    call_command("seed_demo", "--force", stdout=StringIO())
    statuses = dict(ChangeRequest.objects.values_list("requested_by__username", "status"))
    assert statuses == {"shop-sh": ChangeStatus.UNDER_REVIEW, "shop-bj": ChangeStatus.APPROVED}
    assert Merchant.objects.get(memberships__user__username="shop-bj").bank_name == "中国建设银行"
    assert set(ServiceProvider.objects.values_list("status", flat=True)) == {
        ProviderStatus.FILED,
        ProviderStatus.BLACKLISTED,
    }
    drafting = Merchant.objects.get(memberships__user__username="shop-wh")
    assert drafting.service_provider.status == ProviderStatus.FILED
    call_command("seed_demo", "--force", stdout=StringIO())
    assert ChangeRequest.objects.count() == 2 and ServiceProvider.objects.count() == 2
