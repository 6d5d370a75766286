"""A single report on PostgreSQL is written with an INSERT that returns it as stored: what the
screening then reads must be what reading it back gives (transactions/ingest/store.py)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.utils import timezone

from tests.transactions.helpers import report, reporting_terminal
from transactions.decisions import services
from transactions.decisions.inputs import SCREENED_FIELDS
from transactions.ingest.store import Incoming, _write, store_reports
from transactions.ingest.validate import validate_report
from transactions.models import Decision, Report, Source

pytestmark = pytest.mark.django_db


def _incoming(terminal, **overrides) -> Incoming:
    valid, errors = validate_report(report(terminal, **overrides), now=timezone.now())
    assert not errors
    return Incoming(0, terminal.pk, terminal.merchant_id, valid)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"amount": "7", "lat": 31.2, "lng": 121.5},  # fewer decimals than the columns keep
        {"lat": None, "lng": None, "card_token": None, "auth_code": None, "batch_no": None},
        {"type": "refund", "original_report_id": str(uuid.uuid4()), "amount": "0.01"},
    ],
)
def test_the_returned_row_is_the_stored_row(overrides):
    terminal = reporting_terminal()
    item = _incoming(terminal, **overrides)
    written = _write([item], source=Source.API, upload_id=None, received_at=timezone.now())
    stored = list(Report.objects.filter(report_id=item.report.report_id).values(*SCREENED_FIELDS))
    if connection.vendor == "postgresql":
        assert written == stored
    else:
        assert written is None  # a bulk insert elsewhere: the screening reads it back
    assert len(stored) == 1


def test_a_screened_single_report_is_read_back_only_where_it_was_not_returned(monkeypatch):
    read_back = []
    real = services._stored_reports
    monkeypatch.setattr(
        services, "_stored_reports", lambda *args: read_back.append(args) or real(*args)
    )
    terminal = reporting_terminal()
    item = _incoming(terminal)
    result = store_reports([item], source=Source.API, screen=True)
    assert result.accepted == [0]
    decision = result.decisions[item.report.report_id]
    stored = Decision.objects.get(report__report_id=item.report.report_id)
    assert stored.decision_id == decision.decision_id
    assert len(read_back) == (0 if connection.vendor == "postgresql" else 1)
