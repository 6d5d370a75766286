"""Endpoints on the test receiver, and the verification snippet exactly as docs/webhooks.md has it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from merchants.models import Merchant, Role
from portal.common import events
from tests.factories import MembershipFactory, MerchantFactory
from tests.transactions.exchange.webhooks.receiver import Receiver
from transactions.exchange.webhooks.services import endpoint_create
from transactions.models import WebhookEndpoint

DOCS = Path(__file__).resolve().parents[4] / "docs" / "webhooks.md"
ALL_EVENTS = tuple(events.EVENT_TYPES)


def owner_of(merchant: Merchant) -> Any:
    return MembershipFactory(merchant=merchant, role=Role.OWNER).user


def registered(
    receiver: Receiver,
    *,
    merchant: Merchant | None = None,
    event_types: Iterable[str] = ALL_EVENTS,
    actor: Any = None,
) -> tuple[WebhookEndpoint, str]:
    """An endpoint of ``merchant`` (a new approved one by default) registered by its owner."""
    merchant = merchant or MerchantFactory(approved=True)
    return endpoint_create(
        merchant=merchant,
        url=receiver.url,
        events=list(event_types),
        actor=actor or owner_of(merchant),
    )


def documented_verify() -> Callable[..., bool]:
    """The ``verify`` function of the docs' Python block, run as a receiver would copy it."""
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert block is not None, "docs/webhooks.md lost its Python snippet"
    namespace: dict[str, Any] = {}
    exec(block.group(1), namespace)
    return namespace["verify"]
