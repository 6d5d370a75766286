"""The proof step of a cardholder complaint: a 6-digit code sent to the contact they gave.

The code proves the phone number or e-mail is theirs (and slows down scripted complaints). It
lives in the cache for ``CODE_TTL`` under a random ticket, with the contact encrypted and the code
as a keyed digest; it may be tried ``MAX_TRIES`` times and is used once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.common import crypto
from transactions.complaints.cardholder import mail
from transactions.models import Report

CODE_TTL = 10 * 60
MAX_TRIES = 5


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    # The language of the page the cardholder gave the contact on: the one we write to them in.
    language: str = ""

    @property
    def key(self) -> str:
        """What the per-contact rate limit counts: where the code goes."""
        return self.email.lower() or self.phone


def _cache_key(ticket: str) -> str:
    return f"cardholder-proof:{ticket}"


def _digest(ticket: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{ticket}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def proof_send(*, report: Report, contact: Contact) -> str:
    """Send a fresh code to ``contact`` (e-mail first, else SMS); return the ticket to redeem it."""
    code = f"{secrets.randbelow(10**6):06d}"
    ticket = secrets.token_urlsafe(16)
    sealed = crypto.encrypt(
        json.dumps({"phone": contact.phone, "email": contact.email, "language": contact.language})
    )
    cache.set(
        _cache_key(ticket),
        {"code": _digest(ticket, code), "report": report.pk, "contact": sealed, "tries": 0},
        timeout=CODE_TTL,
    )
    mail.proof_code(phone=contact.phone, email=contact.email, code=code, language=contact.language)
    return ticket


def proof_redeem(*, ticket: str, report: Report, code: str) -> Contact:
    """The contact the code was sent to, if ``code`` is right; the ticket is then used up.

    Raises ``ValidationError`` on the "code" field for a wrong, expired or over-tried code.
    """
    key = _cache_key(ticket)
    held = cache.get(key) if ticket else None
    wrong = ValidationError(
        {"code": [_("The code is wrong or has expired. Ask for a new code.")]}, code="bad_code"
    )
    if not held or held["report"] != report.pk:
        raise wrong
    if not hmac.compare_digest(held["code"], _digest(ticket, (code or "").strip())):
        held["tries"] += 1
        if held["tries"] >= MAX_TRIES:
            cache.delete(key)
        else:
            cache.set(key, held, timeout=CODE_TTL)
        raise wrong
    cache.delete(key)
    return Contact(**json.loads(crypto.decrypt(held["contact"])))
