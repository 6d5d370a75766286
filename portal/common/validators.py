"""Validators for the identifiers merchants and terminals carry.

Each raises :class:`django.core.exceptions.ValidationError` with a message a merchant can act on.
"""

import re

import iso18245
import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError


def validate_uscc(value: str) -> None:
    """Unified social credit code: 18 characters with a valid check character (GB 32100-2015)."""
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "Enter a valid unified social credit code (18 characters, check character included)."
            ),
            code="invalid_uscc",
        ) from exc


def validate_resident_id(value: str) -> None:
    """Resident identity card number: 18 characters, valid birth date and check digit."""
    try:
        ric.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Enter a valid resident ID number (18 characters, check digit included)."),
            code="invalid_id_number",
        ) from exc


def validate_mcc(value: str) -> None:
    """Merchant category code listed in ISO 18245."""
    if not re.fullmatch(r"\d{4}", value or ""):
        raise ValidationError(_("An MCC is four digits."), code="invalid_mcc")
    try:
        iso18245.get_mcc(value)
    except (iso18245.MCCNotFound, iso18245.InvalidMCC) as exc:
        raise ValidationError(
            _("%(mcc)s is not a merchant category code in ISO 18245."),
            code="unknown_mcc",
            params={"mcc": value},
        ) from exc


def normalize_cn_phone(value: str) -> str:
    """Return the phone number in E.164 form, or raise if it is not a valid Chinese number."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_bank_account_number(value: str) -> None:
    """Chinese settlement accounts: 8 to 30 digits (personal cards 16-19, corporate accounts vary)."""
    if not re.fullmatch(r"\d{8,30}", value or ""):
        raise ValidationError(_("A bank account number is 8 to 30 digits."), code="invalid_account")


def validate_tid(value: str) -> None:
    if not re.fullmatch(r"[0-9A-Z]{8}", value or ""):
        raise ValidationError(
            _("A terminal ID is 8 characters: digits and capital letters."), code="invalid_tid"
        )


def validate_mid(value: str) -> None:
    if not re.fullmatch(r"\d{15}", value or ""):
        raise ValidationError(_("A merchant ID is 15 digits."), code="invalid_mid")


# What we accept as licence and ID documents, by the file's own leading bytes.
DOCUMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff_document_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, signatures in DOCUMENT_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def validate_document(upload: UploadedFile) -> None:
    """Licence and ID scans: PDF, JPEG or PNG by content (not by name), within the size limit."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            code="file_too_large",
            params={"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)},
        )
    if sniff_document_type(upload) is None:
        raise ValidationError(_("Upload a PDF, JPEG or PNG file."), code="file_type")
