"""Two terminals of one merchant report one card at the same moment (PostgreSQL, real threads).

Without the card lock each transaction would count only itself (neither sees the other's
uncommitted row): the velocity check would miss the second use. With it, the later one counts
both, and no report is counted twice, with the state in the database or in Redis.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from tests.transactions.decisions.test_state import TEST_REDIS_URL, needs_redis
from tests.transactions.helpers import REPORTS, TerminalAPI, report, reporting_terminal
from transactions.decisions import state
from transactions.ingest import store
from transactions.models import Decision, ScreeningCheck

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def _race(apis, payloads):
    barrier = threading.Barrier(len(apis))
    results = [None] * len(apis)

    def send(i):
        api = TerminalAPI.__new__(TerminalAPI)
        api.client, api.terminal = Client(), apis[i].terminal
        api.key, api.secret = apis[i].key, apis[i].secret
        barrier.wait()
        try:
            results[i] = api.post(REPORTS, payloads[i])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(apis))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _one_card_at_two_terminals(client, monkeypatch):
    assert connection.vendor == "postgresql"
    first = reporting_terminal()
    second = reporting_terminal(merchant=first.merchant)
    apis = [TerminalAPI(client, first), TerminalAPI(Client(), second)]
    from transactions.decisions.inputs import ensure_checks

    ensure_checks()
    # The second use of a card at the merchant within the window fires.
    velocity = ScreeningCheck.objects.get(code="card_velocity")
    velocity.parameters = {**velocity.parameters, "max_count_merchant": 1}
    velocity.save()
    # Each request lingers between writing its report and screening it, so the two overlap.
    screen = store.screen_stored

    def slow_screen(**kwargs):
        time.sleep(0.3)
        return screen(**kwargs)

    monkeypatch.setattr(store, "screen_stored", slow_screen)
    # At the same moment: the window of each is the card's reports up to its own time.
    moment = (timezone.now() - timedelta(minutes=1)).isoformat()
    responses = _race(apis, [report(api.terminal, occurred_at=moment) for api in apis])
    assert sorted(r.status_code for r in responses) == [201, 201]
    counts = []
    for decision in Decision.objects.all():
        [run] = [c for c in decision.checks if c["code"] == "card_velocity"]
        counts.append(int(run["figures"]["merchant_count"]) if run.get("hit") else 1)
    return sorted(counts)


def test_the_database_state_counts_both_uses_once(client, settings, monkeypatch):
    settings.DECISIONS_REDIS_URL = ""
    assert _one_card_at_two_terminals(client, monkeypatch) == [1, 2]


@needs_redis
def test_the_redis_state_counts_both_uses_once(client, settings, monkeypatch):
    import redis

    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    settings.DECISIONS_REDIS_URL = TEST_REDIS_URL
    state._client.cache_clear()
    try:
        # A fresh Redis is trusted only for windows it has seen whole: the database answers,
        # under the same lock; both ways, neither report is missed or counted twice.
        assert _one_card_at_two_terminals(client, monkeypatch) == [1, 2]
    finally:
        state._client.cache_clear()
