"""Terminal request signing (shared/API.md): HMAC-SHA256 over timestamp, method, path and body.

Replays: a captured request is refused once its timestamp is more than 300 s old, and within
that window replaying it changes nothing, since reports are idempotent by ``report_id``. Signatures
are deliberately not single-use: a terminal that retries the very same bytes after a timeout must
get the stored result back (``duplicate``), not an authentication error.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from merchants.models import Terminal, TerminalKey
from portal.common.compiled import CompiledQuery

CLOCK_SKEW_SECONDS = 300
TOUCH_EVERY = timedelta(minutes=1)


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "too_large"


@dataclass(frozen=True, slots=True)
class SignedTerminal:
    """The signing terminal as the API's checks and the reporting read it.

    Read with the key in one compiled query (``portal/common/compiled.py``): none of the
    merchant's encrypted columns, no model instances. The whole terminal row is
    :attr:`TerminalClient.terminal`, loaded only by a view that shows it.
    """

    pk: int
    merchant_id: int
    serial_number: str
    status: str
    merchant_status: str
    reporting_enabled: bool | None  # None: the merchant has no reporting settings


@dataclass(frozen=True, slots=True)
class _Key:
    pk: int
    secret: str
    last_used_at: datetime | None
    terminal: SignedTerminal


class TerminalClient:
    """The authenticated party of a terminal request (stands in for ``request.user``)."""

    is_authenticated = True
    is_active = True

    def __init__(self, signed: SignedTerminal) -> None:
        self.signed = signed

    @cached_property
    def terminal(self) -> Terminal:
        return Terminal.objects.select_related("merchant__reporting").get(pk=self.signed.pk)

    def __str__(self) -> str:
        return f"terminal {self.signed.serial_number}"


def _signed_in(key_id: str) -> QuerySet[TerminalKey, dict[str, Any]]:
    return (
        TerminalKey.objects.filter(key_id=key_id, revoked_at__isnull=True)
        .order_by()
        .values(
            "pk",
            "secret",
            "last_used_at",
            "terminal_id",
            "terminal__merchant_id",
            "terminal__serial_number",
            "terminal__status",
            "terminal__merchant__status",
            "terminal__merchant__reporting__enabled",
        )
    )


# Read on every terminal request: compiled once.
_SIGNED_IN = CompiledQuery(_signed_in, key_id=("sample-key-1", "sample-key-2"))


def _key(key_id: str) -> _Key | None:
    row = _SIGNED_IN.first(key_id=key_id)
    if row is None:
        return None
    terminal = SignedTerminal(
        pk=row["terminal_id"],
        merchant_id=row["terminal__merchant_id"],
        serial_number=row["terminal__serial_number"],
        status=row["terminal__status"],
        merchant_status=row["terminal__merchant__status"],
        reporting_enabled=row["terminal__merchant__reporting__enabled"],
    )
    return _Key(row["pk"], row["secret"], row["last_used_at"], terminal)


def signing_string(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    return f"{timestamp}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """The X-Signature a terminal sends (also used by tests and benchmarks)."""
    return hmac.new(
        secret.encode(), signing_string(timestamp, method, path, body), hashlib.sha256
    ).hexdigest()


def read_body(request: Request) -> bytes:
    """The raw body, refusing (413) one larger than the terminal API allows before reading it."""
    limit = settings.TERMINAL_API_MAX_BODY_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge
    body = request._request.body
    if len(body) > limit:
        raise PayloadTooLarge
    return body


class TerminalSignatureAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[TerminalClient, SignedTerminal]:
        key_id = request.META.get("HTTP_X_TERMINAL_KEY", "")
        timestamp = request.META.get("HTTP_X_TIMESTAMP", "")
        signature = request.META.get("HTTP_X_SIGNATURE", "")
        if not (key_id and timestamp and signature):
            raise exceptions.AuthenticationFailed(
                _("Missing X-Terminal-Key, X-Timestamp or X-Signature.")
            )
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > CLOCK_SKEW_SECONDS:
            raise exceptions.AuthenticationFailed(
                _("X-Timestamp is missing or more than 300 s from the server's clock.")
            )
        key = _key(key_id)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked key."))
        body = read_body(request)
        expected = sign(key.secret, timestamp, request.method or "", request.path, body)
        if not hmac.compare_digest(expected, signature.lower()):
            raise exceptions.AuthenticationFailed(_("Wrong signature."))
        _touch(key)
        return TerminalClient(key.terminal), key.terminal

    def authenticate_header(self, request: Request) -> str:
        return 'HMAC-SHA256 realm="terminal"'


def _touch(key: _Key) -> None:
    """Keep ``last_seen`` / ``last_used`` current without a write on every request."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        TerminalKey.objects.filter(pk=key.pk).update(last_used_at=now)
        Terminal.objects.filter(pk=key.terminal.pk).update(last_seen_at=now)


def signed_terminal(request: Any) -> SignedTerminal:
    """The signing terminal as read with its key (no further query)."""
    return request.user.signed


def terminal_of(request: Any) -> Terminal:
    """The signing terminal's whole row, with its merchant and reporting settings."""
    return request.user.terminal
