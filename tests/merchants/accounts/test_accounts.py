"""Login, logout, password change and reset for merchant users."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


@pytest.fixture
def owner():
    return MembershipFactory().user


def test_login_sends_a_merchant_to_its_overview(client, owner):
    response = client.post(
        reverse("login"), {"username": owner.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("merchants:overview")


def test_wrong_password_is_a_form_error(client, owner):
    response = client.post(reverse("login"), {"username": owner.username, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_logout_ends_the_session(client, owner):
    client.force_login(owner)
    client.post(reverse("logout"))
    assert client.get(reverse("merchants:overview")).status_code == 302


def test_password_change(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "N3w-secret-pw!",
            "new_password2": "N3w-secret-pw!",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("N3w-secret-pw!")


def test_password_reset_by_email_link(client, owner):
    client.post(reverse("password_reset"), {"email": owner.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "Reset-pw-2026!", "new_password2": "Reset-pw-2026!"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Reset-pw-2026!")


def test_password_reset_for_unknown_email_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
