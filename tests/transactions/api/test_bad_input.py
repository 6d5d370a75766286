"""Every bad value gets a field error; malformed requests get a clear one; nothing is stored."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transactions.helpers import REPORTS, TerminalAPI, report
from transactions.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return TerminalAPI(client)


def _refused(api, payload, field):
    response = api.post(REPORTS, payload)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert not Report.objects.exists()
    return errors[field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "12.345"),
        ("amount", "0"),
        ("amount", "0.00"),
        ("amount", "-5.00"),
        ("amount", "100000000.00"),
        ("amount", "abc"),
        ("amount", 12.5),
        ("occurred_at", "2026-11-25T10:00:00"),
        ("occurred_at", "yesterday"),
        ("currency", "cny"),
        ("type", "cashback"),
        ("method", "paypal"),
        ("cvm", "fingerprint"),
        ("rrn", "12345"),
        ("trace_no", "12345a"),
        ("batch_no", "1"),
        ("auth_code", "ABCDEFG"),
        ("mcc", "54110"),
        ("acquirer_mid", "89831005411000"),
        ("tid", "1234567"),
        ("report_id", "not-a-uuid"),
        ("masked_pan", "622848123456781234"),
        ("lat", 95.0),
        ("lng", "121.5"),
        ("card_token", "x" * 65),
    ],
)
def test_bad_value_is_a_field_error(api, field, value):
    _refused(api, report(api.terminal, **{field: value}), field)


def test_naive_timestamp_message_says_what_to_do(api):
    message = _refused(api, report(api.terminal, occurred_at="2026-11-25T10:00:00"), "occurred_at")
    assert "offset" in message[0]


def test_future_beyond_five_minutes_is_refused(api):
    future = (timezone.now() + timedelta(minutes=6)).isoformat()
    _refused(api, report(api.terminal, occurred_at=future), "occurred_at")


def test_slightly_future_clock_is_tolerated(api):
    soon = (timezone.now() + timedelta(minutes=4)).isoformat()
    assert api.post(REPORTS, report(api.terminal, occurred_at=soon)).status_code == 201


def test_missing_required_fields_are_each_reported(api):
    response = api.post(REPORTS, {"report_id": str(uuid.uuid4())})
    errors = response.json()["errors"]
    for field in (
        "occurred_at",
        "amount",
        "type",
        "method",
        "rrn",
        "trace_no",
        "mcc",
        "acquirer_mid",
        "tid",
        "cvm",
    ):
        assert field in errors


def test_unknown_field_is_refused(api):
    _refused(api, report(api.terminal, tip="5.00"), "tip")


def test_card_payment_needs_a_masked_card_number(api):
    _refused(api, report(api.terminal, masked_pan=None), "masked_pan")


def test_qr_payment_must_not_carry_a_card_number(api):
    _refused(api, report(api.terminal, method="alipay"), "masked_pan")


def test_refund_without_its_original_is_refused(api):
    _refused(api, report(api.terminal, type="refund"), "original_report_id")


def test_sale_with_an_original_is_refused(api):
    _refused(api, report(api.terminal, original_report_id=str(uuid.uuid4())), "original_report_id")


def test_lat_without_lng_is_refused(api):
    payload = report(api.terminal)
    del payload["lng"]
    _refused(api, payload, "lng")


def test_malformed_json_is_400(api):
    response = api.post(REPORTS, None, raw=b'{"report_id": ')
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()["errors"]["non_field_errors"][0]


def test_json_that_is_not_an_object_is_400(api):
    response = api.post(REPORTS, [1, 2, 3])
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


def test_wrong_content_type_is_415(api):
    body = json.dumps(report(api.terminal)).encode()
    response = api.post(REPORTS, None, raw=body, content_type="text/plain")
    assert response.status_code == 415
    assert "errors" in response.json()


def test_body_over_the_limit_is_413(api, settings):
    settings.TERMINAL_API_MAX_BODY_BYTES = 1000
    payload = report(api.terminal, card_token="x" * 10)
    body = json.dumps({**payload, "padding": "y" * 2000}).encode()
    response = api.post(REPORTS, None, raw=body)
    assert response.status_code == 413
    assert not Report.objects.exists()
