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
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from merchants.models import Terminal, TerminalKey

CLOCK_SKEW_SECONDS = 300
TOUCH_EVERY = timedelta(minutes=1)


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "too_large"


@dataclass(frozen=True)
class TerminalClient:
    """The authenticated party of a terminal request (stands in for ``request.user``)."""

    terminal: Terminal
    key: TerminalKey
    is_authenticated: bool = True
    is_active: bool = True

    def __str__(self) -> str:
        return f"terminal {self.terminal.serial_number}"


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
    def authenticate(self, request: Request) -> tuple[TerminalClient, TerminalKey]:
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
        key = (
            TerminalKey.objects.select_related("terminal__merchant__reporting")
            .filter(key_id=key_id, revoked_at__isnull=True)
            .first()
        )
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked key."))
        body = read_body(request)
        expected = sign(key.secret, timestamp, request.method or "", request.path, body)
        if not hmac.compare_digest(expected, signature.lower()):
            raise exceptions.AuthenticationFailed(_("Wrong signature."))
        _touch(key)
        return TerminalClient(key.terminal, key), key

    def authenticate_header(self, request: Request) -> str:
        return 'HMAC-SHA256 realm="terminal"'


def _touch(key: TerminalKey) -> None:
    """Keep ``last_seen`` / ``last_used`` current without a write on every request."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        TerminalKey.objects.filter(pk=key.pk).update(last_used_at=now)
        Terminal.objects.filter(pk=key.terminal_id).update(last_seen_at=now)
        key.last_used_at = now
        key.terminal.last_seen_at = now


def terminal_of(request: Any) -> Terminal:
    return request.user.terminal
