"""E-mails are written in their recipient's language (the account's choice, the portal's default
until then), whatever the language of the page or worker that sent them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from merchants.accounts.mail import (
    Recipient,
    preferences_set,
    recipients_of,
    send_in_their_language,
    user_language,
)
from merchants.models import AccountPreferences
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _hello() -> tuple[str, str]:
    # "Yes" and "Save" are in the catalogue: 是 / 保存.
    return translation.gettext("Yes"), translation.gettext("Save")


@pytest.mark.parametrize("default", ["zh-hans", "en"])
def test_a_user_without_a_choice_gets_the_portals_default_language(settings, default):
    settings.LANGUAGE_CODE = default
    assert user_language(UserFactory()) == default


def test_the_language_chosen_is_kept_and_refused_when_the_portal_does_not_speak_it():
    user = UserFactory()
    preferences_set(user=user, language="en")
    assert user_language(user) == "en"
    with pytest.raises(ValidationError):
        preferences_set(user=user, language="fr")
    assert AccountPreferences.objects.get(user=user).language == "en"


def test_recipients_carry_their_own_language_and_skip_users_without_an_address():
    zh, en, silent = UserFactory(), UserFactory(), UserFactory(email="")
    preferences_set(user=zh, language="zh-hans")
    preferences_set(user=en, language="en")
    users = type(zh).objects.filter(pk__in=[zh.pk, en.pk, silent.pk])
    assert recipients_of(users) == sorted(
        [Recipient(zh.email, "zh-hans"), Recipient(en.email, "en")], key=lambda r: r.email
    )


def test_each_language_gets_its_own_message_whatever_the_senders_language(mailoutbox):
    with translation.override("en"):  # the sender's page
        sent = send_in_their_language(
            recipients=[
                Recipient("a@example.com", "zh-hans"),
                Recipient("b@example.com", "en"),
                Recipient("c@example.com", "zh-hans"),
            ],
            compose=_hello,
        )
        assert translation.get_language() == "en"  # the sender's language is left as it was
    assert sent == 2
    by_to = {tuple(m.to): (m.subject, m.body) for m in mailoutbox}
    assert by_to == {
        ("b@example.com",): ("Yes", "Save"),
        ("a@example.com", "c@example.com"): ("是", "保存"),
    }


def test_an_unknown_language_falls_back_to_the_default(settings, mailoutbox):
    settings.LANGUAGE_CODE = "zh-hans"
    send_in_their_language(recipients=[Recipient("x@example.com", "xx")], compose=_hello)
    assert mailoutbox[0].subject == "是"


def test_nobody_to_write_to_sends_nothing(mailoutbox):
    assert send_in_their_language(recipients=[], compose=_hello) == 0
    assert mailoutbox == []


# The account page


def test_the_account_page_sets_the_language_of_e_mails(client):
    user = UserFactory()
    client.force_login(user)
    assert b'href="/accounts/settings/"' in client.get("/").content  # linked from every page
    page = client.get(reverse("account_settings"))
    assert page.status_code == 200
    assert page.context["form"].initial["language"] == settings.LANGUAGE_CODE
    response = client.post(reverse("account_settings"), {"language": "en"})
    assert response.status_code == 302
    assert user_language(user) == "en"


def test_the_account_page_refuses_a_language_not_offered(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_settings"), {"language": "fr"})
    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert not AccountPreferences.objects.filter(user=user).exists()


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get(reverse("account_settings"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_signing_up_keeps_the_language_of_the_signup_page(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("merchants:signup"),
        {
            "username": "new-shop",
            "email": "new-shop@example.com",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302, response.content
    assert AccountPreferences.objects.get(user__username="new-shop").language == "en"


def test_a_password_reset_is_written_in_the_accounts_language(client):
    user = UserFactory()
    preferences_set(user=user, language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # the page is Chinese
    client.post(reverse("password_reset"), {"email": user.email})
    [message] = django_mail.outbox
    assert "Password reset" in message.subject


def test_staff_reach_the_account_page_from_admin(client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert b'href="/accounts/settings/"' in client.get(reverse("admin:index")).content
