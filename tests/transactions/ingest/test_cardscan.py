import uuid

import pytest

from transactions.ingest.cardscan import contains_pan, is_sensitive_name

PAN = "6222021234567890128"  # passes Luhn


def test_the_test_pan_passes_luhn():
    from stdnum import luhn

    assert luhn.is_valid(PAN)


@pytest.mark.parametrize(
    "text",
    [
        PAN,
        f"card {PAN} paid",
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "3782 822463 10005",
        f"x{PAN}y",
    ],
)
def test_full_card_numbers_are_found(text):
    assert contains_pan(text)


@pytest.mark.parametrize(
    "text",
    [
        "622848******1234",
        "4111111111111112",  # fails Luhn
        "123456789012",  # 12 digits
        "41111111111111110000000",  # a 23-digit number is not a card number
        "2026-11-25T10:00:00+08:00",
        "tok_8f3a9c",
    ],
)
def test_other_text_is_not_a_card_number(text):
    assert not contains_pan(text)


def test_uuids_are_never_mistaken_for_card_numbers():
    assert not any(contains_pan(str(uuid.uuid4())) for _ in range(20_000))
    assert not contains_pan("12345678-1234-4123-8123-123456789012")


@pytest.mark.parametrize(
    "name", ["cvv", "CVV2", "cvc", "pin", "pin_block", "PINBLOCK", "track1", "track2", "track_data"]
)
def test_sensitive_field_names(name):
    assert is_sensitive_name(name)


@pytest.mark.parametrize("name", ["amount", "card_token", "masked_pan", "pinpad_id"])
def test_ordinary_field_names(name):
    assert not is_sensitive_name(name)
