"""The idempotency look-up of a batch: one query per terminal on PostgreSQL (the ids as one array),
chunks under SQLite's bound-parameter limit elsewhere; either finds what was stored before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.transactions.helpers import report, reporting_terminal
from transactions.ingest.store import LOOKUP_CHUNK, Incoming, _stored, store_reports
from transactions.ingest.validate import validate_report
from transactions.models import Source

pytestmark = pytest.mark.django_db


def _items(terminal, count: int) -> list[Incoming]:
    now = timezone.now()
    items = []
    for index in range(count):
        valid, errors = validate_report(report(terminal), now=now)
        assert not errors
        items.append(Incoming(index, terminal.pk, terminal.merchant_id, valid))
    return items


def test_a_batch_longer_than_a_chunk_is_looked_up_whole():
    terminal = reporting_terminal()
    items = _items(terminal, LOOKUP_CHUNK + 5)
    stored_before = items[:3] + items[-2:]  # in the first and the last chunk
    store_reports(stored_before, source=Source.API)
    with CaptureQueriesContext(connection) as queries:
        found = _stored(items)
    assert set(found) == {(terminal.pk, item.report.report_id) for item in stored_before}
    lookups = [q["sql"] for q in queries.captured_queries if "report" in q["sql"].lower()]
    assert len(lookups) == (1 if connection.vendor == "postgresql" else 2)
