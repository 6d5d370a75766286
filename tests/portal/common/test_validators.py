"""Identifier validators with good and bad values."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.common.masking import mask_account_number, mask_id_number
from portal.common.validators import (
    normalize_cn_phone,
    validate_bank_account_number,
    validate_document,
    validate_mcc,
    validate_mid,
    validate_resident_id,
    validate_tid,
    validate_uscc,
)
from tests.factories import PDF_BYTES, PNG_BYTES, make_id_number, make_uscc


@pytest.mark.parametrize("value", ["91110000600037341L", make_uscc(1), make_uscc(2)])
def test_valid_uscc_passes(value):
    validate_uscc(value)


@pytest.mark.parametrize(
    "value",
    ["91110000600037341X", "9111000060003734", "", "ABCDEFGHIJKLMNOPQR", "911100006000373410"],
)
def test_invalid_uscc_is_refused(value):
    with pytest.raises(ValidationError):
        validate_uscc(value)


@pytest.mark.parametrize("value", ["11010519491231002X", make_id_number(3)])
def test_valid_resident_id_passes(value):
    validate_resident_id(value)


@pytest.mark.parametrize(
    "value",
    ["110105194912310021", "11010519491331002X", "1101051949123100", "99010519491231002X"],
)
def test_invalid_resident_id_is_refused(value):
    with pytest.raises(ValidationError):
        validate_resident_id(value)


def test_id_number_is_masked_to_region_and_last_four():
    assert mask_id_number("11010519491231002x") == "110105********002X"


def test_account_number_shows_only_last_four():
    assert mask_account_number("0123") == "**** **** **** 0123"


@pytest.mark.parametrize("value", ["5411", "5812", "4111"])
def test_iso_18245_mcc_passes(value):
    validate_mcc(value)


@pytest.mark.parametrize("value", ["541", "54a1", "", "0001"])
def test_non_mcc_is_refused(value):
    with pytest.raises(ValidationError):
        validate_mcc(value)


def test_phone_is_normalised_to_e164():
    assert normalize_cn_phone("138 0013 8000") == "+8613800138000"
    assert normalize_cn_phone("021-62345678") == "+862162345678"


@pytest.mark.parametrize("value", ["12345", "not a phone", "+86 100"])
def test_bad_phone_is_refused(value):
    with pytest.raises(ValidationError):
        normalize_cn_phone(value)


@pytest.mark.parametrize("value", ["6222021234567890123", "12345678"])
def test_bank_account_digits_pass(value):
    validate_bank_account_number(value)


@pytest.mark.parametrize("value", ["1234567", "6222-0212", "x" * 10, "1" * 31])
def test_bad_bank_account_is_refused(value):
    with pytest.raises(ValidationError):
        validate_bank_account_number(value)


def test_tid_and_mid_formats():
    validate_tid("A1B2C3D4")
    validate_mid("898310054110001")
    for bad in ("1234567", "abcdefgh", "123456789"):
        with pytest.raises(ValidationError):
            validate_tid(bad)
    for bad in ("89831005411000", "89831005411000X"):
        with pytest.raises(ValidationError):
            validate_mid(bad)


@pytest.mark.parametrize(("name", "content"), [("a.png", PNG_BYTES), ("a.pdf", PDF_BYTES)])
def test_png_and_pdf_documents_pass(name, content):
    validate_document(SimpleUploadedFile(name, content))


def test_document_type_is_judged_by_content_not_name():
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        validate_document(SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 an executable"))


def test_document_over_the_size_limit_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="limit"):
        validate_document(SimpleUploadedFile("big.png", PNG_BYTES + b"\x00" * 200))
