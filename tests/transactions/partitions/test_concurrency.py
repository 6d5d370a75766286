"""Two connections storing one report at once, at two times (two partitions): stored once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction
from django.test import Client

from tests.transactions.helpers import REPORTS, TerminalAPI, report, reporting_terminal
from tests.transactions.partitions.helpers import keys, partitioned_only
from tests.transactions.report_factories import make_report
from transactions.models import Report

pytestmark = [pytest.mark.django_db(transaction=True), partitioned_only]

LONG_AGO = "2019-06-15T10:00:00+08:00"


def _in_threads(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job in its own thread (and so its own connection); their results or errors."""
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        try:
            results[i] = jobs[i]()
        except Exception as error:  # handed back to the test, which asserts on it
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_requests_with_one_report_at_two_times_store_it_once(client):
    api = TerminalAPI(client)
    payload = report(api.terminal)
    barrier = threading.Barrier(2)

    def send(body: dict[str, Any]) -> Callable[[], int]:
        def post() -> int:
            other = TerminalAPI.__new__(TerminalAPI)
            other.client, other.terminal, other.key, other.secret = (
                Client(),
                api.terminal,
                api.key,
                api.secret,
            )
            barrier.wait()
            return other.post(REPORTS, body).status_code

        return post

    codes = _in_threads(send(payload), send({**payload, "occurred_at": LONG_AGO}))
    assert sorted(codes) == [201, 409]
    assert Report.objects.count() == 1 and keys(report_id=payload["report_id"]) == 1


def test_two_raw_inserts_of_one_key_wait_for_each_other_and_the_second_fails():
    # No terminal lock here (ingestion takes one): the key table's primary key alone decides.
    terminal = reporting_terminal()
    first = make_report(terminal)
    Report.objects.filter(pk=first.pk).delete()  # a free key, known to both threads
    inserted = threading.Event()

    def hold_then_commit() -> str:
        with transaction.atomic():
            make_report(terminal, report_id=first.report_id)
            inserted.set()
            time.sleep(0.5)  # the other insert is waiting on this key meanwhile
        return "stored"

    def insert_at_another_time() -> str:
        inserted.wait(5)
        with transaction.atomic():
            make_report(
                terminal,
                report_id=first.report_id,
                occurred_at=first.occurred_at.replace(year=2019),
            )
        return "stored"

    results = _in_threads(hold_then_commit, insert_at_another_time)
    assert results[0] == "stored" and isinstance(results[1], IntegrityError)
    assert Report.objects.filter(report_id=first.report_id).count() == 1
