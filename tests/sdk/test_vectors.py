"""The SDK refuses, before queueing, exactly what the server refuses (sdk/vectors/reports.json).

The server side of the same vectors: tests/transactions/api/test_sdk_vectors.py.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from portal_terminal import ReportInvalid, Terminal, validate_report
from portal_terminal.client import Client
from portal_terminal.queue import Queue

from tests.sdk.support import fresh, vectors

VECTORS = vectors()
PAN = "4111111111111111"


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_local_validation_gives_the_servers_field_errors(vector):
    assert validate_report(fresh(vector["report"], vector)) == vector["errors"]


def test_the_vectors_hold_valid_and_invalid_reports_of_every_kind():
    valid = [v for v in VECTORS if not v["errors"]]
    invalid = [v for v in VECTORS if v["errors"]]
    assert len(valid) >= 15 and len(invalid) >= 40
    fields = {name for v in invalid for name in v["errors"]}
    assert {"report_id", "occurred_at", "amount", "masked_pan", "lat", "non_field_errors"} <= fields


@pytest.fixture
def offline_terminal(tmp_path):
    # Nothing listens on port 9: nothing may reach the network anyway.
    client = Client(base_url="http://127.0.0.1:9", key_id="k", secret="s", retries=0)
    terminal = Terminal(client=client, queue=Queue(tmp_path / "queue.sqlite3"))
    yield terminal
    terminal.close()


def test_an_invalid_report_is_refused_and_queued_nowhere(offline_terminal):
    invalid = [v for v in VECTORS if v["errors"]]
    for vector in invalid:
        with pytest.raises(ReportInvalid) as refused:
            offline_terminal.queue_report(vector["report"])
        assert refused.value.errors == vector["errors"]
    assert offline_terminal.queue.counts() == {"pending": 0, "sent": 0, "refused": 0}


def test_a_valid_report_is_queued_while_offline(offline_terminal):
    vector = VECTORS[0]
    outcome = offline_terminal.report(fresh(vector["report"], vector))
    assert outcome.state == "queued"
    assert "ConnectionRefusedError" in outcome.last_error
    assert offline_terminal.queue.counts()["pending"] == 1


def test_a_full_card_number_is_never_echoed_nor_written_to_the_queue(offline_terminal, tmp_path):
    for report in (
        {**VECTORS[0]["report"], "masked_pan": PAN},
        {**VECTORS[0]["report"], "card_token": "4111 1111 1111 1111"},
        {**VECTORS[0]["report"], "memo": f"card {PAN}"},
    ):
        with pytest.raises(ReportInvalid) as refused:
            offline_terminal.report(report)
        assert PAN not in str(refused.value) and "4111 1111" not in str(refused.value)
        assert PAN not in json.dumps(refused.value.errors)
    offline_terminal.close()
    for path in tmp_path.iterdir():
        assert b"4111111111111111" not in path.read_bytes()
        assert b"4111 1111" not in path.read_bytes()


def test_the_sdk_knows_the_servers_fields_and_choices():
    from portal_terminal import validation as sdk

    from transactions.ingest import cardscan, validate, wire
    from transactions.models import CARD_METHODS, REFERRING_TYPES, Cvm, PaymentMethod, ReportType

    assert (sdk.FIELDS, sdk.REQUIRED) == (wire.FIELDS, wire.REQUIRED)
    assert (
        frozenset(ReportType.values),
        frozenset(PaymentMethod.values),
        frozenset(Cvm.values),
    ) == (sdk.TYPES, sdk.METHODS, sdk.CVMS)
    assert (sdk.CARD_METHODS, sdk.REFERRING_TYPES) == (CARD_METHODS, REFERRING_TYPES)
    assert sdk.NOT_SCANNED == validate.NOT_SCANNED
    assert (sdk._DIGIT_RUN.pattern, sdk._GROUPED.pattern, sdk._SENSITIVE_NAME.pattern) == (
        cardscan._DIGIT_RUN.pattern,
        cardscan._GROUPED.pattern,
        cardscan._SENSITIVE_NAME.pattern,
    )
    assert {name: p.pattern for name, (p, _m) in sdk._FORMATS.items()} == {
        name: p.pattern for name, (p, _m) in validate._FORMATS.items()
    }


@given(st.text(alphabet="0123456789 -x", min_size=13, max_size=40))
@settings(max_examples=500, deadline=None)
def test_the_card_number_scan_finds_what_the_servers_finds(text):
    from portal_terminal.validation import contains_pan

    from transactions.ingest import cardscan

    assert contains_pan(text) == cardscan.contains_pan(text)
