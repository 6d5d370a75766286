"""Enrolling an authenticator app, a new key and renewed backup codes leave a history record:
who, when, what; never the key or the codes."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from merchants.accounts.otp import backup_codes_issue, totp_enrolment_device
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # UserFactory's


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _signed_in(user) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return client


def _trail(model, device_id: int) -> list[tuple[str, str, int | None]]:
    rows = model.history.filter(id=device_id).order_by("history_date", "history_id")
    return [(r.history_type, r.history_change_reason, r.history_user_id) for r in rows]


def _no_secret_in(model, secret_field: str) -> None:
    columns = {field.name for field in model.history.model._meta.fields}
    assert secret_field not in columns


def test_enrolling_an_app_records_the_key_issued_and_confirmed_by_the_user():
    staff = StaffFactory()
    client = _signed_in(staff)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("otp_setup"), {"token": _code(device)})
    assert _trail(TOTPDevice, device.pk) == [
        ("+", "authenticator key issued", staff.pk),
        ("~", "authenticator app confirmed", staff.pk),
    ]
    _no_secret_in(TOTPDevice, "key")
    assert device.key not in str(list(TOTPDevice.history.filter(id=device.pk).values()))


def test_a_wrong_enrolment_code_confirms_nothing_and_records_nothing_more():
    staff = StaffFactory()
    client = _signed_in(staff)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(
        reverse("otp_setup"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert [t for t, _r, _u in _trail(TOTPDevice, device.pk)] == ["+"]


def test_a_new_key_on_an_existing_device_is_recorded_without_the_key():
    user = UserFactory()
    device = totp_enrolment_device(user=user)
    old_key = device.key
    device.key = random_hex(20)
    device.save()
    trail = _trail(TOTPDevice, device.pk)
    assert trail[-1][:2] == ("~", "key changed")
    values = str(list(TOTPDevice.history.filter(id=device.pk).values()))
    assert device.key not in values and old_key not in values


def test_using_the_app_is_not_recorded_as_a_change():
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    before = device.history.count()
    assert device.verify_token(_code(device))
    device.refresh_from_db()
    device.save()  # a plain save of an unchanged device, key loaded from the database
    assert device.history.count() == before


def test_backup_codes_issued_then_renewed_are_each_on_record_by_the_user():
    staff = StaffFactory()
    client = _signed_in(staff)
    TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    codes = backup_codes_issue(user=staff)
    client.post(reverse("otp_verify"), {"otp_token": codes[0]})
    response = client.post(reverse("otp_backup_codes"))
    assert response.status_code == 200
    device = StaticDevice.objects.get(user=staff)
    trail = _trail(StaticDevice, device.pk)
    assert trail[0][:2] == ("+", "backup codes issued (10)")
    assert trail[-1] == ("~", "backup codes renewed (10)", staff.pk)
    _no_secret_in(StaticDevice, "token")
    history = str(list(StaticDevice.history.filter(id=device.pk).values()))
    assert not any(code in history for code in codes + response.context["codes"])


def test_renewing_backup_codes_unverified_is_refused_and_not_recorded():
    staff = StaffFactory()
    backup_codes_issue(user=staff)
    device = StaticDevice.objects.get(user=staff)
    before = device.history.count()
    client = _signed_in(staff)
    response = client.post(reverse("otp_backup_codes"))
    assert response.status_code == 302
    assert device.history.count() == before
