from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.transactions.exchange.webhooks.receiver import Receiver, start_receiver


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1, which settings allow as a test host (http, loopback)."""
    settings.WEBHOOK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = start_receiver()
    yield receiver
    receiver.stop()
