"""The rules of a part found side by side, each thread on a connection of its own (PostgreSQL,
outside a transaction); one after another where other connections could not see the data."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from tests.transactions.audit.helpers import plant_patterns, snapshot
from transactions.audit.runner import audit_run_now
from transactions.audit.side_by_side import side_by_side, threads_for_finding
from transactions.models import Alert, AuditRun

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need connections that see committed data"
)


def backend() -> tuple[int, int]:
    """(thread, database session) of the caller; each job waits a little, so both threads
    take some."""
    time.sleep(0.02)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return threading.get_ident(), pid


def planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
        )
        return cursor.fetchone()


def open_sessions(pids: set[int]) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)])
        return {pid for (pid,) in cursor.fetchall()}


@postgresql
@pytest.mark.django_db(transaction=True)
def test_jobs_run_on_threads_of_their_own_and_come_back_in_order(settings):
    settings.AUDIT_FIND_THREADS = 2
    results = side_by_side([lambda i=i: (i, *backend()) for i in range(8)])
    assert [index for index, _thread, _pid in results] == list(range(8))
    threads = {thread for _index, thread, _pid in results}
    pids = {pid for _index, _thread, pid in results}
    assert threading.get_ident() not in threads and len(threads) == 2
    assert backend()[1] not in pids and len(pids) == 2
    assert open_sessions(pids) == set()  # each thread closed its connection


@postgresql
@pytest.mark.django_db(transaction=True)
def test_the_threads_sessions_plan_without_jit_or_parallel_workers(settings):
    """The threads are the parallelism: a query's own workers would take their cores."""
    settings.AUDIT_FIND_THREADS = 2
    assert set(side_by_side([planner_settings] * 4)) == {("off", "0")}


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_job_that_raises_raises_for_the_caller(settings):
    settings.AUDIT_FIND_THREADS = 2

    def fails():
        raise ValueError("no such column")

    with pytest.raises(ValueError, match="no such column"):
        side_by_side([backend, fails, backend, backend])


@pytest.mark.django_db
def test_inside_a_transaction_the_jobs_run_one_after_another(settings):
    """A test's transaction, or a caller's atomic block: another connection would not see its
    rows. SQLite: one connection. Either way, the caller's thread does every job."""
    settings.AUDIT_FIND_THREADS = 4
    assert threads_for_finding() == 1
    assert side_by_side([threading.get_ident] * 3) == [threading.get_ident()] * 3


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_transaction_of_the_caller_keeps_the_jobs_on_its_connection(settings):
    settings.AUDIT_FIND_THREADS = 4
    assert threads_for_finding() == 4
    with transaction.atomic():
        assert threads_for_finding() == 1


@postgresql
@pytest.mark.django_db(transaction=True)
def test_rules_found_side_by_side_raise_what_one_after_another_raise(settings):
    plant_patterns()
    settings.AUDIT_FIND_THREADS = 1
    audit_run_now(trigger="test")
    expected = snapshot()
    assert expected  # the patterns raise alerts of several rules
    Alert.objects.all().delete()
    AuditRun.objects.all().delete()
    settings.AUDIT_FIND_THREADS = 3
    run = audit_run_now(trigger="test")
    assert snapshot() == expected and run.alerts_created == len(expected)


@pytest.mark.django_db
def test_the_rules_that_read_far_beyond_the_window_are_found_first(monkeypatch):
    """Started last, a long rule would end the run alone while the other threads wait."""
    from transactions.audit import runner
    from transactions.audit.rules import REGISTRY

    asked: list[str] = []

    def recorded(jobs):
        asked.extend(job.args[0] for job in jobs)
        return [job() for job in jobs]

    monkeypatch.setattr(runner, "side_by_side", recorded)
    plant_patterns()
    audit_run_now(trigger="test")
    heavy = [REGISTRY[code].heavy for code in asked]
    assert sorted(asked) == sorted(REGISTRY) and heavy == sorted(heavy, reverse=True)
    assert {code for code in asked if REGISTRY[code].heavy} >= {"volume_spike", "reporting_gap"}
