"""Lockout (django-axes): five wrong passwords for one username from one address lock that pair."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import StaffFactory, UserFactory
from tests.reliability.scoreboard import record

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # UserFactory's


def _attempt(client: Client, username: str, password: str, path: str = "/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def _fail(client: Client, username: str, times: int, path: str = "/accounts/login/", **extra):
    for _ in range(times):
        response = _attempt(client, username, "wrong-password", path, **extra)
    return response


def test_four_wrong_passwords_still_let_the_right_one_in():
    user = UserFactory()
    client = Client()
    assert _fail(client, user.username, 4).status_code == 200
    assert _attempt(client, user.username, PASSWORD).status_code == 302


def test_the_fifth_wrong_password_locks_the_user_out_with_a_message():
    user = UserFactory()
    client = Client()
    statuses = [_attempt(client, user.username, "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = _attempt(client, user.username, "wrong-password")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed log-ins" in text
    assert "15 minutes" in text
    record(
        "auth",
        "lockout: wrong passwords that lock a username + address",
        statuses.index(429) + 1,
        note="for 15 minutes (django-axes); portal and admin login alike",
    )


def test_a_locked_out_user_is_refused_even_with_the_right_password():
    user = UserFactory()
    client = Client()
    _fail(client, user.username, 5)
    response = _attempt(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_answers_in_the_users_language(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    user = UserFactory()
    with translation.override("zh-hans"):
        response = _fail(Client(), user.username, 5, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert response.headers["Content-Language"] == "zh-hans"


def test_the_admin_login_locks_out_too():
    staff = StaffFactory()
    response = _fail(Client(), staff.username, 5, path="/admin/login/")
    assert response.status_code == 429
    assert _attempt(Client(), staff.username, PASSWORD, "/admin/login/").status_code == 429


def test_lockout_is_per_address_so_the_user_can_still_log_in_from_elsewhere():
    user = UserFactory()
    _fail(Client(), user.username, 5, REMOTE_ADDR="203.0.113.7")
    response = _attempt(Client(), user.username, PASSWORD, REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 302


def test_lockout_is_per_username_so_others_at_the_same_address_are_not_locked():
    victim, neighbour = UserFactory(), UserFactory()
    _fail(Client(), victim.username, 5)
    assert _attempt(Client(), neighbour.username, PASSWORD).status_code == 302


def test_a_success_before_the_limit_starts_the_count_again():
    user = UserFactory()
    client = Client()
    _fail(client, user.username, 4)
    assert _attempt(client, user.username, PASSWORD).status_code == 302
    assert _fail(Client(), user.username, 4).status_code == 200


def test_the_cool_off_ends_the_lockout(settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    user = UserFactory()
    _fail(Client(), user.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _attempt(Client(), user.username, PASSWORD).status_code == 302


def test_the_login_page_still_shows_for_a_get():
    assert Client().get(reverse("login")).status_code == 200
