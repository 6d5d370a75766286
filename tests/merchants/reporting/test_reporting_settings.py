import pytest
from django.urls import reverse

from merchants.models import ReportingSettings, Role
from tests.factories import MembershipFactory, MerchantFactory

pytestmark = pytest.mark.django_db

URL = reverse("merchants:reporting_settings")
ON = {"enabled": "on", "method": "file", "frequency": "daily", "deadline_hours": "12"}


def _login(client, role=Role.OWNER, approved=True):
    membership = MembershipFactory(merchant=MerchantFactory(approved=approved), role=role)
    client.force_login(membership.user)
    return membership.merchant


def test_owner_turns_reporting_on(client):
    merchant = _login(client)
    assert client.post(URL, ON).status_code == 302
    settings = ReportingSettings.objects.get(merchant=merchant)
    assert (settings.enabled, settings.method, settings.frequency, settings.deadline_hours) == (
        True,
        "file",
        "daily",
        12,
    )


def test_default_deadline_is_24_hours(client):
    merchant = _login(client)
    client.get(URL)
    assert ReportingSettings.objects.get(merchant=merchant).deadline_hours == 24


def test_reporting_cannot_be_turned_on_before_approval(client):
    merchant = _login(client, approved=False)
    response = client.post(URL, ON)
    assert response.status_code == 200
    assert "once the application is approved" in response.content.decode()
    assert not ReportingSettings.objects.get(merchant=merchant).enabled


@pytest.mark.parametrize("hours", ["0", "-1", "1000", "abc"])
def test_bad_deadline_is_a_field_error(client, hours):
    _login(client)
    response = client.post(URL, {**ON, "deadline_hours": hours})
    assert "deadline_hours" in response.context["form"].errors


def test_staff_and_viewers_only_read(client):
    merchant = _login(client, role=Role.STAFF)
    assert client.get(URL).status_code == 200
    assert client.post(URL, ON).status_code == 403
    assert not ReportingSettings.objects.get(merchant=merchant).enabled


def test_change_is_on_record(client):
    merchant = _login(client)
    client.post(URL, ON)
    assert ReportingSettings.objects.get(merchant=merchant).history.latest().enabled is True
