"""The audit trail of accounts: staff and merchant users, groups and second-factor devices.

Changes to who may sign in and with what rights are security relevant: each is kept with who made
it, as for merchants and settings (tests/test_security_audit_trail.py), but never the secrets: not
the password hash, not the authenticator key; and signing in or using a code is no change.
"""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import SecondFactorClient
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _latest(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


def _superuser_client() -> Client:
    client = SecondFactorClient()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_staff_accounts_password_change_is_on_record_without_the_hash():
    staff = StaffFactory()
    client = _superuser_client()
    response = client.post(
        reverse("admin:auth_user_password_change", args=[staff.pk]),
        {"password1": "Another-pass-2026", "password2": "Another-pass-2026"},
    )
    assert response.status_code == 302, response.context["form"].errors
    latest = _latest(staff)
    assert (latest.history_type, latest.history_change_reason) == ("~", "password changed")
    assert str(latest.history_user_id) == client.session["_auth_user_id"]
    assert not {"password", "last_login"} & {f.name for f in User.history.model._meta.fields}


def test_a_staff_account_turned_superuser_is_on_record():
    staff = StaffFactory()
    before = staff.history.count()
    staff.is_superuser = True
    staff.save()
    assert staff.history.count() == before + 1
    assert _latest(staff).is_superuser


def test_signing_in_is_not_recorded_as_a_change_to_the_account():
    staff = StaffFactory()
    before = staff.history.count()
    response = Client().post(
        "/accounts/login/", {"username": staff.username, "password": "pass-word-123"}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.last_login is not None
    assert staff.history.count() == before


def test_joining_and_leaving_a_group_is_on_record_from_either_side():
    staff = StaffFactory()
    before = staff.history.count()
    lead, reviewers = (
        Group.objects.get(name="compliance lead"),
        Group.objects.get(name="compliance reviewer"),
    )
    staff.groups.add(lead)
    reviewers.user_set.add(staff)
    latest = _latest(staff)
    assert {row.group_id for row in latest.groups.all()} == {lead.pk, reviewers.pk}
    reviewers.user_set.clear()
    assert [row.group_id for row in _latest(staff).groups.all()] == [lead.pk]
    assert staff.history.count() == before + 3


def test_a_groups_permissions_changed_in_admin_are_on_record_with_who():
    group = Group.objects.create(name="auditors")
    permission = Permission.objects.get(codename="view_merchant")
    client = _superuser_client()
    client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "auditors", "permissions": [permission.pk]},
    )
    latest = _latest(group)
    assert str(latest.history_user_id) == client.session["_auth_user_id"]
    assert [row.permission_id for row in latest.permissions.all()] == [permission.pk]


def test_a_second_factor_device_is_on_record_without_its_key_and_its_use_is_not():
    staff = StaffFactory()
    device = TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    assert device.verify_token(f"{code:06d}")
    assert device.history.count() == 1
    assert "key" not in {field.name for field in TOTPDevice.history.model._meta.fields}


def test_a_device_deleted_in_admin_is_on_record_with_who():
    staff = StaffFactory()
    device = StaticDevice.objects.create(user=staff, name="Backup codes")
    client = _superuser_client()
    client.post(reverse("admin:otp_static_staticdevice_delete", args=[device.pk]), {"post": "yes"})
    assert not StaticDevice.objects.filter(pk=device.pk).exists()
    gone = StaticDevice.history.filter(id=device.pk).order_by("-history_id").first()
    assert gone.history_type == "-"
    assert str(gone.history_user_id) == client.session["_auth_user_id"]
