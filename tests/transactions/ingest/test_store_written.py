"""On PostgreSQL the writer hands the screening the reports as stored, without reading them back:
a single report from its INSERT … RETURNING, a batch's from the values it copied with ids taken
from the sequence. Either must be exactly what reading them back gives
(transactions/ingest/store.py)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.utils import timezone

from tests.transactions.helpers import report, reporting_terminal
from transactions.decisions import services
from transactions.decisions.inputs import SCREENED_FIELDS, screened
from transactions.ingest.store import Incoming, _ready, _write, store_reports
from transactions.ingest.validate import validate_report
from transactions.models import Decision, Report, Source

pytestmark = pytest.mark.django_db


def _incoming(terminal, **overrides) -> Incoming:
    valid, errors = validate_report(report(terminal, **overrides), now=timezone.now())
    assert not errors
    return Incoming(0, terminal.pk, terminal.merchant_id, valid)


VARIANTS = [
    {},
    {"amount": "7", "lat": 31.2, "lng": 121.5},  # fewer decimals than the columns keep
    {"lat": None, "lng": None, "card_token": None, "auth_code": None, "batch_no": None},
    {"type": "refund", "original_report_id": str(uuid.uuid4()), "amount": "0.01"},
    {"occurred_at": "2026-11-30T23:59:59.123456+08:00", "amount": "99999.9"},  # a month's edge
]


@pytest.mark.parametrize("overrides", VARIANTS)
def test_the_returned_row_is_the_stored_row(overrides):
    terminal = reporting_terminal()
    item = _incoming(terminal, **overrides)
    ready = _ready(
        [item], screen=True, source=Source.API, upload_id=None, received_at=timezone.now()
    )
    written = _write(ready, returning=True)
    stored = list(Report.objects.filter(report_id=item.report.report_id).values(*SCREENED_FIELDS))
    if connection.vendor == "postgresql":
        assert written == [screened(row) for row in stored]
    else:
        assert written is None  # a bulk insert elsewhere: the screening reads it back
    assert len(stored) == 1


def test_a_batchs_rows_as_copied_are_the_stored_rows():
    one, two = reporting_terminal(), reporting_terminal()
    items = [_incoming(terminal, **overrides) for terminal in (one, two) for overrides in VARIANTS]
    ready = _ready(
        items, screen=True, source=Source.API, upload_id=None, received_at=timezone.now()
    )
    written = _write(ready, returning=True)
    ids = [item.report.report_id for item in items]
    stored = {
        row["report_id"]: screened(row)
        for row in Report.objects.filter(report_id__in=ids).values(*SCREENED_FIELDS)
    }
    assert len(stored) == len(items)
    if connection.vendor != "postgresql":
        assert written is None  # a bulk insert elsewhere: the screening reads them back
        return
    assert {row.report_id: row for row in written} == stored


@pytest.mark.parametrize("count", [1, 3])
def test_screened_reports_are_read_back_only_where_they_were_not_returned(monkeypatch, count):
    read_back = []
    real = services._stored_reports
    monkeypatch.setattr(
        services, "_stored_reports", lambda *args: read_back.append(args) or real(*args)
    )
    terminal = reporting_terminal()
    items = [_incoming(terminal) for _ in range(count)]
    for index, item in enumerate(items):
        item.index = index
    result = store_reports(items, source=Source.API, screen=True)
    assert result.accepted == list(range(count))
    for item in items:
        decision = result.decisions[item.report.report_id]
        stored = Decision.objects.get(report__report_id=item.report.report_id)
        assert stored.decision_id == decision.decision_id
        assert stored.report_id == Report.objects.get(report_id=item.report.report_id).pk
    assert len(read_back) == (0 if connection.vendor == "postgresql" else 1)
