"""Protection of the cardholder's pages: limits per address, card digits and contact; logs."""

import logging

import pytest
from django.core import mail

from tests.transactions.complaints.cardholder_helpers import (
    LOOKUP,
    TRACK,
    charge,
    complain_url,
    qr_charge,
    slip,
    submit,
)
from transactions.complaints.cardholder.throttle import parse_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.CARDHOLDER_RATE_LIMITS = {
        "lookup_address": "3/hour",
        "lookup_card": "2/hour",
        "proof_address": "2/hour",
        "proof_contact": "1/hour",
        "tracking_address": "2/hour",
    }


def _from(client, address, *args, **kwargs):
    return client.post(*args, REMOTE_ADDR=address, **kwargs)


def test_rates_read_like_drfs():
    assert parse_rate("20/hour") == (20, 3600)
    assert parse_rate("5/minute") == (5, 60)
    assert parse_rate("3/90") == (3, 90)


def test_an_address_is_stopped_after_its_lookups(client, limits):
    report = charge()
    for last4 in ("1111", "2222", "3333"):
        assert _from(client, "10.0.0.1", LOOKUP, slip(report, last4=last4)).status_code == 200
    refused = _from(client, "10.0.0.1", LOOKUP, slip(report))
    assert refused.status_code == 429
    assert b'data-testid="charge"' not in refused.content


def test_another_address_is_not_stopped_by_the_first(client, limits):
    report = charge()
    for last4 in ("1111", "2222", "3333"):
        _from(client, "10.0.0.1", LOOKUP, slip(report, last4=last4))
    assert _from(client, "10.0.0.2", LOOKUP, slip(report)).status_code == 200


def test_the_same_card_digits_are_stopped_whatever_the_address(client, limits):
    report = charge()
    _from(client, "10.0.0.1", LOOKUP, slip(report, amount="1.00"))
    _from(client, "10.0.0.2", LOOKUP, slip(report, amount="2.00"))
    assert _from(client, "10.0.0.3", LOOKUP, slip(report)).status_code == 429
    assert _from(client, "10.0.0.3", LOOKUP, slip(report, last4="9999")).status_code == 200


def test_an_order_number_is_limited_like_card_digits(client, limits):
    report = qr_charge()
    for amount in ("1.00", "2.00"):
        _from(
            client, "10.0.0.1", LOOKUP, slip(report, last4="", order_no=report.rrn, amount=amount)
        )
    response = _from(client, "10.0.0.2", LOOKUP, slip(report, last4="", order_no=report.rrn))
    assert response.status_code == 429


def test_invalid_forms_are_not_counted(client, limits):
    report = charge()
    for _attempt in range(5):
        _from(client, "10.0.0.1", LOOKUP, slip(report, amount="x"))
    assert _from(client, "10.0.0.1", LOOKUP, slip(report)).status_code == 200


def test_codes_to_one_contact_are_limited(client, limits):
    url = complain_url(charge())
    contact = {"phone": "", "email": "card.holder@example.com"}
    assert _from(client, "10.0.0.1", url, contact).status_code == 200
    assert _from(client, "10.0.0.2", url, contact).status_code == 429
    assert len(mail.outbox) == 1


def test_codes_from_one_address_are_limited(client, limits):
    url = complain_url(charge())
    for n in (1, 2):
        _from(client, "10.0.0.1", url, {"phone": "", "email": f"holder{n}@example.com"})
    response = _from(client, "10.0.0.1", url, {"phone": "", "email": "holder3@example.com"})
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_wrong_tracking_codes_stop_the_address_even_for_a_right_code(client, limits):
    code = submit(client, charge()).context["code"]
    for guess in ("guess-1", "guess-2"):
        assert _from(client, "10.0.0.9", TRACK, {"code": guess}).status_code == 404
    assert _from(client, "10.0.0.9", TRACK, {"code": code}).status_code == 429
    assert _from(client, "10.0.0.8", TRACK, {"code": code}).status_code == 200


def test_right_tracking_codes_are_not_counted(client, limits):
    code = submit(client, charge()).context["code"]
    for _visit in range(5):
        assert _from(client, "10.0.0.9", TRACK, {"code": code}).status_code == 200


# -- the log ----------------------------------------------------------------------------------


def test_lookups_are_logged_without_card_digits_order_number_or_amount(client, caplog):
    card, qr = charge(masked_pan="622848******4321", amount="77.31"), qr_charge(rrn="420077770000")
    with caplog.at_level(logging.INFO, logger="transactions.complaints.cardholder"):
        _from(client, "10.0.0.1", LOOKUP, slip(card))
        _from(client, "10.0.0.1", LOOKUP, slip(qr, last4="", order_no=qr.rrn))
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("transactions.complaints")]
    assert len(lines) == 2
    assert "10.0.0.1" in lines[0] and f"matched report {card.pk}" in lines[0]
    for line in lines:
        assert "4321" not in line and "420077770000" not in line and "77.31" not in line


def test_a_refused_lookup_is_logged(client, limits, caplog):
    report = charge()
    with caplog.at_level(logging.INFO, logger="transactions.complaints.cardholder"):
        for _attempt in range(4):
            _from(client, "10.0.0.1", LOOKUP, slip(report, amount=f"{_attempt + 1}.00"))
    assert any("rate limit" in r.getMessage() for r in caplog.records)


def test_a_full_card_number_is_neither_looked_up_nor_logged(client, caplog):
    report = charge()
    with caplog.at_level(logging.DEBUG):
        _from(client, "10.0.0.1", LOOKUP, slip(report, merchant_name="4111111111111111", tid=""))
    assert "4111111111111111" not in caplog.text
    assert not any(r.name.startswith("transactions.complaints") for r in caplog.records)
