"""Read replicas: the read-only pages read from a real streaming standby when it is up and current.

The standby is the one ``scripts/replica`` starts (``.ci/run`` does, and sets ``TEST_REPLICA_URL``):
it replays everything the primary writes, this test database included. Without it (or on SQLite)
only the router's own rules are tested here.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.common import replicas
from portal.common.replicas import PIN_COOKIE, ReplicaRouter, health
from tests.transactions.report_factories import make_report, signed_in_shop

REPLICA = "replica_0"
# The standby's tests use its alias too (Django's test case refuses an alias it was not given).
on_standby = pytest.mark.django_db(
    transaction=True,
    databases=[DEFAULT_DB_ALIAS, REPLICA] if REPLICA in settings.DATABASES else [DEFAULT_DB_ALIAS],
)
LIST_URL = reverse("transactions:reports")


# -- the router's rules (any database) -------------------------------------------------------


def test_outside_a_replica_view_reads_and_writes_go_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(object) is None
    assert router.db_for_write(object) == DEFAULT_DB_ALIAS


def test_replicas_are_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "transactions") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "transactions") is None


@pytest.mark.django_db
def test_with_replica_reads_off_nothing_is_pinned(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert PIN_COOKIE not in response.cookies


# -- against the real standby ----------------------------------------------------------------


@contextmanager
def _replica_moved_to(port: str) -> Iterator[None]:
    """The standby's alias pointing at ``port`` for a while (1: nothing listens there)."""
    config = connections[REPLICA].settings_dict
    connections[REPLICA].close()
    original, config["PORT"] = config["PORT"], port
    try:
        yield
    finally:
        connections[REPLICA].close()
        config["PORT"] = original


def _lsn(alias: str, sql: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def caught_up(timeout: float = 20.0) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    target = _lsn(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while True:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    return
        except OperationalError:  # this test database may not have reached the standby yet
            connections[REPLICA].close()
        if time.monotonic() > deadline:
            raise AssertionError(f"the standby did not replay up to {target} in {timeout} s")
        time.sleep(0.05)


@pytest.fixture
def replica(settings) -> Iterator[str]:
    """The standby as ``replica_0``, reads from it on, one test at a time across xdist workers
    (pausing its replay, as the lag test does, would disturb another worker's test)."""
    if REPLICA not in settings.DATABASES:
        pytest.skip(
            "no standby: .ci/run starts one (scripts/replica), DATABASE_REPLICA_URLS names it"
        )
    settings.DATABASE_REPLICA_READS = True
    with open("/tmp/portal-replica-tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        health.forget()
        try:
            caught_up()
            yield REPLICA
        finally:
            health.forget()


@pytest.fixture
def shop(client, replica):
    return signed_in_shop(client)


def _tables_read(queries: CaptureQueriesContext) -> str:
    return " ".join(query["sql"] for query in queries.captured_queries)


@on_standby
def test_the_report_list_reads_from_the_standby(client, shop, replica):
    report = make_report(shop["terminal"], rrn="123456789012")
    caught_up()
    with CaptureQueriesContext(connections[replica]) as on_replica:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "123456789012" in response.content.decode()
    assert "transactions_report" in _tables_read(on_replica)
    assert report.pk


@on_standby
def test_a_streamed_export_reads_its_rows_from_the_standby(client, shop, replica):
    make_report(shop["terminal"], rrn="223456789012")
    caught_up()
    with CaptureQueriesContext(connections[replica]) as on_replica:
        response = client.get(reverse("transactions:report_export_csv"))
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "223456789012" in body
    assert "transactions_report" in _tables_read(on_replica)


@on_standby
def test_the_dashboard_reads_from_the_standby(client, shop, replica):
    with CaptureQueriesContext(connections[replica]) as on_replica:
        response = client.get(reverse("transactions:dashboard"))
    assert response.status_code == 200
    assert "transactions_merchantday" in _tables_read(on_replica)


@on_standby
def test_a_standby_behind_by_more_than_the_limit_is_passed_over(client, shop, replica, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0.2
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        make_report(shop["terminal"], rrn="323456789012")
        time.sleep(0.5)  # the standby receives the write but does not replay it
        with CaptureQueriesContext(connections[replica]) as on_replica:
            response = client.get(LIST_URL)
        assert "323456789012" in response.content.decode()  # read on the primary
        assert "transactions_report" not in _tables_read(on_replica)
    finally:
        with connections[replica].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@on_standby
def test_a_standby_that_is_down_is_passed_over(client, shop, replica):
    make_report(shop["terminal"], rrn="423456789012")
    with _replica_moved_to("1"):  # nothing listens there
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "423456789012" in response.content.decode()
    assert health.checked[REPLICA][1] is False


@on_standby
def test_a_standby_lost_since_its_last_check_costs_a_retry_not_an_error(client, shop, replica):
    health.checked[REPLICA] = (time.monotonic(), True)  # found up a moment ago …
    make_report(shop["terminal"], rrn="523456789012")
    with _replica_moved_to("1"):  # … and gone now
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "523456789012" in response.content.decode()
    assert health.checked[REPLICA][1] is False  # set aside for REPLICA_RETRY_SECONDS


@on_standby
def test_after_a_write_this_browser_reads_from_the_primary(client, shop, replica, settings):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies[PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    with CaptureQueriesContext(connections[replica]) as on_replica:
        client.get(LIST_URL)
    assert not on_replica.captured_queries
    client.cookies.pop(PIN_COOKIE)
    with CaptureQueriesContext(connections[replica]) as on_replica:
        client.get(LIST_URL)
    assert on_replica.captured_queries


needs_standby = pytest.mark.skipif(
    REPLICA not in settings.DATABASES, reason="no standby configured (DATABASE_REPLICA_URLS)"
)


@needs_standby
@pytest.mark.parametrize(
    ("method", "status", "pinned"), [("POST", 302, True), ("POST", 400, False), ("GET", 200, False)]
)
def test_only_a_write_that_succeeded_pins(rf, settings, method, status, pinned):
    settings.DATABASE_REPLICA_READS = True
    middleware = replicas.PinToPrimaryMiddleware(lambda request: HttpResponse(status=status))
    response = middleware(rf.generic(method, "/"))
    assert (PIN_COOKIE in response.cookies) is pinned


@needs_standby
def test_the_aliases_come_from_the_configured_databases():
    assert replicas.replica_aliases() == [REPLICA]
