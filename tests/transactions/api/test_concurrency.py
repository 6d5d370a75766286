"""Concurrent duplicates on PostgreSQL: however many requests race, a report is stored once."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from tests.transactions.helpers import BATCH, REPORTS, TerminalAPI, report
from transactions.models import Report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
]


def _race(api, path, payloads):
    barrier = threading.Barrier(len(payloads))
    results = [None] * len(payloads)

    def send(i):
        terminal_api = TerminalAPI.__new__(TerminalAPI)
        terminal_api.client, terminal_api.terminal = Client(), api.terminal
        terminal_api.key, terminal_api.secret = api.key, api.secret
        barrier.wait()
        try:
            results[i] = terminal_api.post(path, payloads[i])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(payloads))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_eight_simultaneous_copies_store_one_report(client):
    assert connection.vendor == "postgresql"
    api = TerminalAPI(client)
    payload = report(api.terminal)
    responses = _race(api, REPORTS, [payload] * 8)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 7 + [201]
    assert Report.objects.filter(report_id=payload["report_id"]).count() == 1


def test_overlapping_batches_store_each_report_once(client):
    api = TerminalAPI(client)
    rows = [report(api.terminal) for _ in range(300)]
    batches = [rows[0:200], rows[100:300], rows[50:250], rows]
    responses = _race(api, BATCH, [{"reports": b} for b in batches])
    bodies = [r.json() for r in responses]
    assert sum(b["accepted"] for b in bodies) == 300
    assert sum(b["accepted"] + b["duplicates"] for b in bodies) == 200 + 200 + 200 + 300
    assert Report.objects.count() == 300
