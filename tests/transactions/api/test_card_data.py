"""A full card number, CVV, PIN or track data is refused, and appears nowhere afterwards."""

import logging

import pytest
from django.db import connection

from tests.transactions.helpers import BATCH, REPORTS, TerminalAPI, report
from transactions.models import Report

pytestmark = pytest.mark.django_db

PAN = "6222021234567890128"


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def _everything_stored() -> str:
    """Every text column of every report row, as one string."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM transactions_report")
        return repr(cursor.fetchall())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("card_token", PAN),
        ("auth_code", PAN),
        ("masked_pan", PAN),
        ("rrn", PAN),
        ("currency", f"CNY {PAN}"),
        ("occurred_at", PAN),
        ("card_token", "6222 0212 3456 7890 128"),
        ("remark", f"card {PAN}"),
    ],
)
def test_full_card_number_in_any_field_is_refused_and_never_echoed(api, caplog, field, value):
    caplog.set_level(logging.DEBUG)
    response = api.post(REPORTS, report(api.terminal, **{field: value}))
    assert response.status_code == 400
    assert "full card number" in response.content.decode()
    assert PAN not in response.content.decode()
    assert not Report.objects.exists()
    assert PAN not in caplog.text and "6222 0212" not in caplog.text


@pytest.mark.parametrize("field", ["cvv", "cvv2", "cvc", "pin", "pin_block", "track1", "track2"])
def test_sensitive_authentication_fields_are_refused(api, caplog, field):
    caplog.set_level(logging.DEBUG)
    response = api.post(REPORTS, report(api.terminal, **{field: "123"}))
    assert response.status_code == 400
    assert "must never be sent" in response.json()["errors"][field][0]
    assert not Report.objects.exists()


def test_card_number_as_a_field_name_is_refused_without_echo(api):
    response = api.post(REPORTS, report(api.terminal, **{PAN: "x"}))
    assert response.status_code == 400
    assert PAN not in response.content.decode()


def test_card_number_in_a_batch_row_rejects_that_row_only(api, caplog):
    caplog.set_level(logging.DEBUG)
    rows = [report(api.terminal), report(api.terminal, card_token=PAN), report(api.terminal)]
    response = api.post(BATCH, {"reports": rows})
    body = response.json()
    assert body["accepted"] == 2
    assert body["rejected"][0]["index"] == 1
    assert PAN not in response.content.decode()
    assert PAN not in _everything_stored()
    assert PAN not in caplog.text


def test_mid_that_passes_luhn_is_not_taken_for_a_card_number(api):
    mid = "898310054110000"  # 15 digits that happen to pass the Luhn check
    from stdnum import luhn

    assert luhn.is_valid(mid)
    assert api.post(REPORTS, report(api.terminal, acquirer_mid=mid)).status_code == 201
