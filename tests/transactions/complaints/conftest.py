"""The cardholder channel counts attempts in the cache and sends texts: both start empty."""

import pytest
from django.core.cache import cache

from transactions.complaints.cardholder.sms import LocmemSMSBackend


@pytest.fixture(autouse=True)
def _fresh_limits_and_outbox(settings):
    settings.SMS_BACKEND = "transactions.complaints.cardholder.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    cache.clear()
    yield
    cache.clear()
