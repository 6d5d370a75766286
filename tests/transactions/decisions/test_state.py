"""The screening state: Redis and the database give the same answers; a Redis outage falls back.

These tests talk to a real Redis (``TEST_REDIS_URL``, a database of its own, flushed by each
test): the one that .ci/run starts on this machine.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.utils import timezone

from tests.transactions.helpers import REPORTS, TerminalAPI, report, reporting_terminal
from transactions.decisions import state
from transactions.decisions.inputs import SCREENED_FIELDS, screened
from transactions.ingest.store import Incoming, store_reports
from transactions.ingest.validate import validate_report
from transactions.models import Decision, Report, StateSource

# A Redis database per xdist worker (gw0 → 9, gw1 → 10, …): each test flushes its own.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{9 + _WORKER}")
DOWN_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

pytestmark = pytest.mark.django_db


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {TEST_REDIS_URL}")


@pytest.fixture
def use_redis(settings):
    """Screening state in a flushed Redis that has held it since a day ago."""
    settings.DECISIONS_REDIS_URL = TEST_REDIS_URL
    state._client.cache_clear()
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    client.set("dec:since", f"{time.time() - 86000:.6f}")
    yield client
    client.flushdb()
    state._client.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_breaker():
    state._breaker.failed_at, state._breaker.dirty = None, False
    yield
    state._breaker.failed_at, state._breaker.dirty = None, False


def _store(terminal, **overrides):
    """Store one report (unscreened) and return it as the checks see it."""
    valid, errors = validate_report(report(terminal, **overrides), now=timezone.now())
    assert not errors
    store_reports([Incoming(0, terminal.pk, terminal.merchant_id, valid)], source="api")
    row = Report.objects.filter(report_id=valid.report_id).values(*SCREENED_FIELDS).get()
    return screened(row)


def _scenario(seed: int = 11):
    """Reports of three cards over two terminals of one merchant, in and out of time order."""
    rng = random.Random(seed)
    first = reporting_terminal()
    second = reporting_terminal(merchant=first.merchant)
    now = timezone.now()
    cards = [("tok_a", "622848******1111"), ("", "622848******2222"), ("tok_c", "")]
    for _ in range(40):
        token, pan = rng.choice(cards)
        located = rng.random() < 0.7
        yield (
            rng.choice([first, second]),
            {
                "occurred_at": (now - timedelta(minutes=rng.randint(0, 90))).isoformat(),
                "amount": f"{rng.randint(1, 90000)}.{rng.randint(0, 99):02d}",
                "card_token": token or None,
                "masked_pan": pan or None,
                "method": "credit_card" if pan else "wechat",
                "lat": round(31.2 + rng.random(), 6) if located else None,
                "lng": round(121.4 + rng.random(), 6) if located else None,
            },
        )


@needs_redis
def test_redis_and_the_database_answer_alike_report_after_report(use_redis, settings):
    sources = []
    for terminal, overrides in _scenario():
        screened = _store(terminal, **overrides)
        from_redis = state.read_state([screened], minutes=10)
        settings.DECISIONS_REDIS_URL = ""
        from_database = state.read_state([screened], minutes=10)
        settings.DECISIONS_REDIS_URL = TEST_REDIS_URL
        sources.append(from_redis[2])
        assert from_database[2] == StateSource.DATABASE
        assert from_redis[:2] == from_database[:2]
    # A terminal's first located report asks the database whether one came before Redis.
    assert sources.count(StateSource.REDIS) > len(sources) / 2


@needs_redis
def test_the_card_window_counts_the_card_at_the_terminal_and_the_merchant(use_redis):
    terminal = reporting_terminal()
    other = reporting_terminal(merchant=terminal.merchant)
    now = timezone.now()
    for where, minutes_ago in ((terminal, 30), (terminal, 9), (other, 5)):
        earlier = _store(where, occurred_at=(now - timedelta(minutes=minutes_ago)).isoformat())
        state.read_state([earlier], minutes=10)  # as screening does: Redis learns each report
    latest = _store(terminal, occurred_at=(now - timedelta(minutes=1)).isoformat())
    [window], _places, source = state.read_state([latest], minutes=10)
    assert source == StateSource.REDIS
    assert (window.terminal_count, window.merchant_count) == (2, 3)
    assert window.merchant_amount == Decimal("128.50") * 3


@needs_redis
def test_a_window_older_than_what_redis_has_seen_is_read_from_the_database(use_redis):
    use_redis.set("dec:since", f"{time.time():.6f}")  # Redis holds the state from now on only
    screened = _store(reporting_terminal())
    [window], _places, source = state.read_state([screened], minutes=10)
    assert source == StateSource.DATABASE
    assert window.merchant_count == 1


def test_a_redis_that_is_down_falls_back_to_the_database(settings):
    settings.DECISIONS_REDIS_URL = DOWN_REDIS_URL
    state._client.cache_clear()
    screened = _store(reporting_terminal())
    [window], _places, source = state.read_state([screened], minutes=10)
    assert source == StateSource.FALLBACK
    assert window.merchant_count == 1
    state._client.cache_clear()


def test_reporting_goes_on_while_redis_is_down_and_the_decision_says_so(client, settings):
    settings.DECISIONS_REDIS_URL = DOWN_REDIS_URL
    state._client.cache_clear()
    api = TerminalAPI(client)
    response = api.post(REPORTS, report(api.terminal))
    assert response.status_code == 201
    assert response.json()["decision"]["outcome"] == "accept"
    assert Decision.objects.get().state_source == StateSource.FALLBACK
    state._client.cache_clear()


@needs_redis
def test_redis_back_after_an_outage_is_trusted_only_from_then_on(use_redis, settings):
    terminal = reporting_terminal()
    settings.DECISIONS_REDIS_URL = DOWN_REDIS_URL
    state._client.cache_clear()
    missed = _store(terminal)  # stored while Redis was unreachable: Redis never saw it
    assert state.read_state([missed], minutes=10)[2] == StateSource.FALLBACK
    settings.DECISIONS_REDIS_URL = TEST_REDIS_URL
    state._client.cache_clear()
    state._breaker.failed_at = None  # the back-off has passed
    back_at = time.time()
    later = _store(terminal, report_id=str(uuid.uuid4()))
    [window], _places, source = state.read_state([later], minutes=10)
    assert float(use_redis.get("dec:since")) >= back_at
    # The window reaches back before Redis came back: the database answers, counting both.
    assert source == StateSource.DATABASE
    assert window.merchant_count == 2


@needs_redis
def test_a_fresh_redis_answers_like_the_database_for_reports_it_never_saw(use_redis, settings):
    terminal = reporting_terminal()
    earlier = _store(terminal, lat=31.5, lng=121.9)  # stored before this Redis held any state
    use_redis.set("dec:since", f"{time.time():.6f}")
    later = _store(terminal, report_id=str(uuid.uuid4()), lat=31.2, lng=121.5)
    from_redis = state.read_state([later], minutes=10)
    settings.DECISIONS_REDIS_URL = ""
    from_database = state.read_state([later], minutes=10)
    assert from_redis[:2] == from_database[:2]
    assert from_redis[1][0].occurred_at == earlier.occurred_at


@needs_redis
@pytest.mark.parametrize("chunk", [7, state.CHUNK])
def test_a_batch_is_answered_alike_by_redis_and_the_database(
    use_redis, settings, monkeypatch, chunk
):
    # Stored together, screened together: Redis learns the whole batch, then answers for it
    # (in chunks of 7, a card's earlier reports are added by an earlier script call).
    monkeypatch.setattr(state, "CHUNK", chunk)
    batch = [_store(terminal, **overrides) for terminal, overrides in _scenario(seed=5)]
    from_redis = state.read_state(batch, minutes=10)
    settings.DECISIONS_REDIS_URL = ""
    from_database = state.read_state(batch, minutes=10)
    assert from_redis[:2] == from_database[:2]


@needs_redis
def test_reports_of_the_same_microsecond_are_ordered_alike_by_redis_and_the_database(
    use_redis, settings
):
    """A tie in time is ordered by report id: Redis leaves the tie to the database."""
    terminal = reporting_terminal()
    moment = (timezone.now() - timedelta(minutes=2)).isoformat()
    first = _store(terminal, occurred_at=moment, lat=31.5, lng=121.5)
    state.read_state([first], minutes=10)
    second = _store(terminal, occurred_at=moment, lat=31.6, lng=121.6)
    later = _store(terminal, occurred_at=timezone.now().isoformat(), lat=31.7, lng=121.7)
    batch = [first, second, later]
    from_redis = state.read_state(batch, minutes=10)
    settings.DECISIONS_REDIS_URL = ""
    from_database = state.read_state(batch, minutes=10)
    assert from_redis[:2] == from_database[:2]
    earlier, then = sorted([first, second], key=lambda r: r.report_id)
    places = dict(zip([r.report_id for r in batch], from_database[1], strict=True))
    assert places[earlier.report_id] is None
    assert (places[then.report_id].lat, places[then.report_id].lng) == (earlier.lat, earlier.lng)
    assert places[later.report_id].lat == then.lat
    assert from_redis[2] == StateSource.DATABASE  # the tie went to the database
