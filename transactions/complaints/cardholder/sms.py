"""Text messages, through the backend named by ``settings.SMS_BACKEND`` (console by default).

A backend is a class with ``send(*, to, message)``; a provider's is a few lines around its API.
The locmem backend keeps what was sent in ``outbox``, as Django's mail does for tests.
"""

from __future__ import annotations

import sys
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SMSBackend(Protocol):
    def send(self, *, to: str, message: str) -> None: ...


class ConsoleSMSBackend:
    """Prints the message, for development (like Django's console e-mail backend)."""

    def send(self, *, to: str, message: str) -> None:
        sys.stdout.write(f"SMS to {to}: {message}\n")
        sys.stdout.flush()


class LocmemSMSBackend:
    """Keeps messages in memory: ``LocmemSMSBackend.outbox`` is a list of (to, message)."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, to: str, message: str) -> None:
        self.outbox.append((to, message))


def send_sms(*, to: str, message: str) -> None:
    backend: SMSBackend = import_string(settings.SMS_BACKEND)()
    backend.send(to=to, message=message)
