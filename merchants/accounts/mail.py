"""E-mails in their recipient's language.

A mail is written for whoever reads it: a merchant's owner who reads Chinese gets Chinese, a
reviewer who chose English gets English, whatever the language of the request (or the worker)
whose action sent it. Recipients are grouped by language and each group gets its own message,
composed under ``translation.override`` so that every gettext, label and date in it is theirs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from merchants.models import AccountPreferences, Role

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def supported(language: str | None) -> str:
    """``language`` when the portal speaks it (``zh-Hans`` and ``zh-hans`` alike), else the default."""
    code = (language or "").lower()
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def user_language(user: Any) -> str:
    """The language the user chose for their e-mails (the portal's default until they choose)."""
    language = (
        AccountPreferences.objects.filter(user_id=user.pk)
        .values_list("language", flat=True)
        .first()
    )
    return supported(language)


def recipients_of(users: QuerySet) -> list[Recipient]:
    """Each user's address and language, in one query; users without an address are left out."""
    rows = users.exclude(email="").values_list("email", "preferences__language").distinct()
    found: dict[str, str] = {}
    for email, language in rows:
        found.setdefault(email, supported(language))
    return [Recipient(email, language) for email, language in sorted(found.items())]


def merchant_people(merchant_id: int) -> list[Recipient]:
    """The merchant's owners and staff: the people who can answer."""
    users = get_user_model().objects.filter(
        is_active=True,
        membership__merchant_id=merchant_id,
        membership__role__in=[Role.OWNER, Role.STAFF],
    )
    return recipients_of(users)


def preferences_set(*, user: Any, language: str) -> AccountPreferences:
    """Record the language ``user`` wants their e-mails in; refuses one the portal does not speak."""
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": [_("Choose one of the languages offered.")]})
    preferences, _created = AccountPreferences.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preferences


def send_in_their_language(
    *, recipients: Iterable[Recipient], compose: Callable[[], tuple[str, str]]
) -> int:
    """Send ``compose()``'s (subject, body), written once per language of ``recipients``.

    One message per language, to that language's recipients; returns how many were sent.
    """
    by_language: dict[str, set[str]] = defaultdict(set)
    for recipient in recipients:
        by_language[supported(recipient.language)].add(recipient.email)
    for language, emails in sorted(by_language.items()):
        with translation.override(language):
            subject, body = compose()
        send_mail(subject=subject, message=body, from_email=None, recipient_list=sorted(emails))
    return len(by_language)
