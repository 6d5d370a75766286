"""Two-factor authentication: staff pass a code after the password, or enrol an app first.

These tests sign in through the real pages (password, then code); the rest of the suite uses the
``client`` fixture's shortcut (tests/conftest.py).
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from merchants.accounts.otp import backup_codes_issue
from tests.conftest import SecondFactorClient
from tests.factories import MembershipFactory, StaffFactory, UserFactory
from tests.reliability.scoreboard import record

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # UserFactory's


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _password_login(user, path: str = "/accounts/login/") -> Client:
    client = Client()
    response = client.post(path, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_staff_without_a_device_is_sent_from_admin_to_enrolment():
    client = _password_login(StaffFactory(groups=["compliance reviewer"]))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_setup"))


def test_enrolment_shows_the_qr_code_inline_and_the_key():
    client = _password_login(StaffFactory())
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 200
    assert b"<svg" in response.content
    device = TOTPDevice.objects.get(confirmed=False)
    assert response.context["secret"].encode() in response.content
    assert device.config_url.startswith("otpauth://totp/")


def test_enrolment_refuses_a_wrong_code_and_leaves_the_app_unconfirmed():
    staff = StaffFactory()
    client = _password_login(staff)
    client.get(reverse("otp_setup"))
    response = client.post(reverse("otp_setup"), {"token": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_enrolment_with_the_apps_code_turns_2fa_on_and_shows_backup_codes():
    staff = StaffFactory(groups=["compliance reviewer"])
    client = _password_login(staff)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("otp_setup"), {"token": _code(device), "next": "/admin/"})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_app_is_asked_for_a_code_after_the_password():
    staff = StaffFactory(groups=["compliance reviewer"])
    _app(staff)
    client = _password_login(staff)
    response = client.get("/admin/transactions/alert/")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("otp_verify") + "?next=%2Fadmin%2Ftransactions%2Falert%2F"
    )


def test_staff_who_owe_a_code_cannot_enrol_another_device_instead():
    staff = StaffFactory()
    _app(staff)
    client = _password_login(staff)
    response = client.get(reverse("otp_setup"))
    assert response["Location"].startswith(reverse("otp_verify"))
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_a_wrong_code_is_refused_and_admin_stays_closed():
    staff = StaffFactory()
    _app(staff)
    client = _password_login(staff)
    response = client.post(reverse("otp_verify"), {"otp_token": "123456"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_apps_code_opens_admin_and_goes_where_the_user_was_going():
    staff = StaffFactory(groups=["compliance reviewer"])
    device = _app(staff)
    client = _password_login(staff)
    response = client.post(
        reverse("otp_verify"),
        {"otp_device": device.persistent_id, "otp_token": _code(device), "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_code_step_does_not_send_the_user_off_site():
    staff = StaffFactory()
    device = _app(staff)
    client = _password_login(staff)
    response = client.post(
        reverse("otp_verify"),
        {"otp_token": _code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("admin:index")


def test_a_backup_code_works_once():
    staff = StaffFactory()
    codes = backup_codes_issue(user=staff)
    client = _password_login(staff)
    assert client.post(reverse("otp_verify"), {"otp_token": codes[0]}).status_code == 302
    assert client.get("/admin/").status_code == 200
    again = _password_login(staff)
    response = again.post(reverse("otp_verify"), {"otp_token": codes[0]})
    assert response.status_code == 200
    assert StaticToken.objects.filter(device__user=staff).count() == 9


def test_new_backup_codes_replace_the_old_ones():
    staff = StaffFactory()
    backup_codes_issue(user=staff, codes=["old-code"])
    new = backup_codes_issue(user=staff)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert StaticDevice.objects.filter(user=staff).count() == 1


def test_the_admin_login_page_leads_to_the_code_step_too():
    staff = StaffFactory()
    _app(staff)
    client = _password_login(staff, path="/admin/login/?next=/admin/")
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("otp_verify"))


def test_unverified_staff_get_403_from_the_api_not_a_redirect():
    staff = StaffFactory()
    _app(staff)
    client = _password_login(staff)
    response = client.get("/api/schema/")
    assert response.status_code == 403


def test_unverified_staff_can_still_log_out():
    staff = StaffFactory()
    _app(staff)
    client = _password_login(staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_merchant_users_without_a_device_are_not_asked_for_a_code():
    membership = MembershipFactory()
    client = _password_login(membership.user)
    assert client.get(reverse("merchants:overview")).status_code == 200


def test_merchant_users_who_enrolled_are_asked_for_their_code():
    membership = MembershipFactory()
    _app(membership.user)
    client = _password_login(membership.user)
    response = client.get(reverse("merchants:overview"))
    assert response["Location"].startswith(reverse("otp_verify"))


def test_the_suite_shortcut_can_stop_before_the_second_factor():
    client = SecondFactorClient()
    client.force_login(StaffFactory(), second_factor=False)
    assert client.get("/admin/").status_code == 302


def test_demo_staff_sign_in_with_the_demo_password_and_backup_code():
    from transactions.demo.merchants import DEMO_BACKUP_CODE, DEMO_PASSWORD, seed_demo

    seed_demo()
    client = Client()
    client.post("/accounts/login/", {"username": "reviewer", "password": DEMO_PASSWORD})
    response = client.post(reverse("otp_verify"), {"otp_token": DEMO_BACKUP_CODE})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_verified_user_can_replace_the_backup_codes():
    staff = StaffFactory()
    old = backup_codes_issue(user=staff)
    client = _password_login(staff)
    client.post(reverse("otp_verify"), {"otp_token": old[0]})
    response = client.post(reverse("otp_backup_codes"))
    assert response.status_code == 200
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(
        response.context["codes"]
    )


def test_backup_codes_cannot_be_replaced_before_the_code_step():
    staff = StaffFactory()
    backup_codes_issue(user=staff)
    client = _password_login(staff)
    response = client.post(reverse("otp_backup_codes"))
    assert response["Location"].startswith(reverse("otp_verify"))


# --- throttling: django-otp holds a device back after a wrong code, doubling the wait each time --


@pytest.fixture
def slow_throttle(settings):
    """A minute's back-off after one wrong code instead of a second: the test is no race."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    settings.OTP_STATIC_THROTTLE_FACTOR = 60


def test_codes_are_throttled_with_the_default_settings():
    staff = StaffFactory()
    assert _app(staff).throttling_enabled
    backup_codes_issue(user=staff)
    assert StaticDevice.objects.get(user=staff).throttling_enabled


def test_after_a_wrong_code_even_the_right_one_waits(slow_throttle):
    staff = StaffFactory()
    device = _app(staff)
    client = _password_login(staff)
    checked = 0
    for token in ("123456", "654321", _code(device)):
        response = client.post(reverse("otp_verify"), {"otp_token": token})
        if "That code is not right" in response.content.decode():
            checked += 1
    assert response.status_code == 200
    assert "Too many wrong codes (1)" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get("/admin/").status_code == 302
    record(
        "auth",
        "2FA: wrong codes checked before the device is held back",
        checked,
        note="then the wait doubles with each wrong code (django-otp throttling)",
    )


def test_backup_codes_are_throttled_too(slow_throttle):
    staff = StaffFactory()
    codes = backup_codes_issue(user=staff)
    client = _password_login(staff)
    client.post(reverse("otp_verify"), {"otp_token": "not-a-code"})
    response = client.post(reverse("otp_verify"), {"otp_token": codes[0]})
    assert "Too many wrong codes (1)" in response.content.decode()
    assert StaticToken.objects.filter(device__user=staff).count() == 10


def test_every_admin_page_waits_for_the_second_factor():
    """A superuser who only gave the password opens no admin list, add form or history page."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    _app(superuser)
    client = _password_login(superuser)
    urls = ["/admin/"]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    held = [
        url
        for url in urls
        if (response := client.get(url)).status_code == 302
        and response["Location"].startswith(reverse("otp_verify"))
    ]
    assert held == urls
    record(
        "auth",
        "2FA: admin pages refused to staff without a second factor",
        len(held),
        note="every admin list and add page, as a superuser who gave only the password",
    )
