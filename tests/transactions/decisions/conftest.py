"""Screening tests: a terminal of its own per test, and no usual hours cached from another test."""

import pytest
from django.core.cache import caches

from tests.transactions.helpers import TerminalAPI


@pytest.fixture(autouse=True)
def _no_cached_hours():
    # usual_hours is cached by merchant id, and ids come round again after each test's rollback.
    caches["screening"].clear()
    yield
    caches["screening"].clear()


@pytest.fixture
def api(client):
    return TerminalAPI(client)
