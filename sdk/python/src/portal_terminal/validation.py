"""Local validation of a report: the server's rules (shared/API.md), applied before queueing.

A terminal that queues a report the server would refuse learns it only when the network comes
back, possibly hours later and after the sale is done. So the SDK checks every report with the
same rules and the same messages as the server (``transactions/ingest/validate.py`` and
``cardscan.py``); the shared vectors (``sdk/vectors/reports.json``) are run against both, so the two
cannot drift apart unnoticed. A value holding a full card number is never echoed back.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

FIELDS = (
    "report_id",
    "occurred_at",
    "amount",
    "currency",
    "type",
    "method",
    "masked_pan",
    "card_token",
    "rrn",
    "trace_no",
    "batch_no",
    "auth_code",
    "mcc",
    "acquirer_mid",
    "tid",
    "lat",
    "lng",
    "cvm",
    "original_report_id",
)
FIELD_SET = frozenset(FIELDS)
REQUIRED = frozenset(
    {
        "report_id",
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
    }
)
TYPES = frozenset({"sale", "refund", "void", "preauth", "preauth_completion"})
METHODS = frozenset({"credit_card", "debit_card", "wechat", "alipay", "unionpay_qr"})
CVMS = frozenset({"pin", "signature", "none", "contactless", "biometric"})
CARD_METHODS = frozenset({"credit_card", "debit_card"})
REFERRING_TYPES = frozenset({"refund", "void", "preauth_completion"})
# A 15-digit MID passes Luhn one time in ten: it is checked for its format, not scanned.
NOT_SCANNED = frozenset({"acquirer_mid"})
FUTURE_TOLERANCE = timedelta(minutes=5)

PAN_MESSAGE = (
    "Contains a full card number. Send only the masked number (first 6 and last 4 digits)."
)
SENSITIVE_MESSAGE = "Card verification, PIN and track data must never be sent."

_AMOUNT = re.compile(r"^\d{1,8}(\.\d{1,2})?$")
_AMOUNT_ANY = re.compile(r"^\d+(\.\d+)?$")
_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "currency": (re.compile(r"^[A-Z]{3}$"), "Use an ISO 4217 code such as CNY."),
    "masked_pan": (
        re.compile(r"^\d{6}\*{3,9}\d{4}$"),
        "Send the first 6 and last 4 digits with the rest as *, e.g. 622848******1234.",
    ),
    "card_token": (
        re.compile(r"^[A-Za-z0-9_.:=+/-]{1,64}$"),
        "Up to 64 letters, digits or _.:=+/-.",
    ),
    "rrn": (re.compile(r"^[A-Za-z0-9]{12}$"), "An RRN is 12 letters or digits."),
    "trace_no": (re.compile(r"^\d{6}$"), "A trace number is 6 digits."),
    "batch_no": (re.compile(r"^\d{6}$"), "A batch number is 6 digits."),
    "auth_code": (
        re.compile(r"^[A-Za-z0-9]{1,6}$"),
        "An authorisation code is up to 6 letters or digits.",
    ),
    "mcc": (re.compile(r"^\d{4}$"), "An MCC is 4 digits."),
    "acquirer_mid": (re.compile(r"^\d{15}$"), "A merchant ID is 15 digits."),
    "tid": (re.compile(r"^[A-Za-z0-9]{8}$"), "A terminal ID is 8 letters or digits."),
}
_CHOICES = {"type": TYPES, "method": METHODS, "cvm": CVMS}

# A PAN: 13-19 digits passing Luhn, alone or grouped as people type it (4-4-4-4, Amex 4-6-5);
# a UUID's 8-4-4-4-12 grouping is not one.
_DIGIT_RUN = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
_GROUPED = re.compile(
    r"(?<![\w-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{5})(?![\w-])"
)
_SENSITIVE_NAME = re.compile(
    r"^(cvv2?|cvc2?|cvn2?|cid|csc|pin|pin_?block|pinblock|track_?[123]|track_?data|"
    r"full_?pan|pan|card_?number|cardno|card_no)$",
    re.IGNORECASE,
)

Errors = dict[str, list[str]]


class ReportInvalid(ValueError):
    """The report would be refused by the server: nothing of it was queued or sent."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def contains_pan(text: str) -> bool:
    """Whether ``text`` holds a full card number (as the server's card-data scan finds them)."""
    if len(text) < 13:
        return False
    for match in _GROUPED.finditer(text):
        if luhn_valid(re.sub(r"[ -]", "", match.group())):
            return True
    return any(luhn_valid(match.group()) for match in _DIGIT_RUN.finditer(text))


def is_sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.match(name))


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def validate_report(raw: Any, *, now: datetime | None = None) -> Errors:
    """The errors by field the server would answer for ``raw`` (empty: it would be accepted).

    ``now`` is the terminal's clock (aware); the server applies its own to the 5-minute rule.
    """
    now = now or datetime.now(UTC)
    if not isinstance(raw, dict):
        return {"non_field_errors": ["Each report must be a JSON object."]}
    errors: Errors = {}
    _scan_sensitive(raw, errors)
    if errors:
        return errors  # a report carrying card data is refused as a whole
    for name in raw:
        if name not in FIELD_SET:
            field = name if re.fullmatch(r"[A-Za-z0-9_]{1,64}", name) else "non_field_errors"
            _add(errors, field, "Unknown field.")
    for name in REQUIRED:
        if raw.get(name) in (None, ""):
            _add(errors, name, "This field is required.")
    cleaned: dict[str, Any] = {}
    for name in FIELDS:
        value = raw.get(name)
        if value in (None, "") or name in errors:
            continue
        if _clean(name, value, now, errors):
            cleaned[name] = value
    _cross_checks(raw, cleaned, errors)
    return errors


def _scan_sensitive(raw: dict[str, Any], errors: Errors) -> None:
    for name, value in raw.items():
        if not isinstance(name, str) or contains_pan(name):
            _add(errors, "non_field_errors", PAN_MESSAGE)
            continue
        if is_sensitive_name(name):
            _add(errors, name, SENSITIVE_MESSAGE)
        elif isinstance(value, str) and name not in NOT_SCANNED and contains_pan(value):
            _add(errors, name if name in FIELD_SET else "non_field_errors", PAN_MESSAGE)


def _clean(name: str, value: Any, now: datetime, errors: Errors) -> bool:
    """Check one present field; add its errors and say whether it is good."""
    before = len(errors.get(name, ()))
    if name in ("lat", "lng"):
        _coordinate(name, value, errors)
    elif not isinstance(value, str):
        _add(errors, name, "Send this field as a string.")
    elif name in ("report_id", "original_report_id"):
        try:
            uuid.UUID(value)
        except ValueError:
            _add(errors, name, "Enter a valid UUID.")
    elif name == "occurred_at":
        _timestamp(value, now, errors)
    elif name == "amount":
        _amount(value, errors)
    elif name in _CHOICES:
        if value not in _CHOICES[name]:
            _add(errors, name, f"Use one of: {', '.join(sorted(_CHOICES[name]))}.")
    else:
        pattern, message = _FORMATS[name]
        if not pattern.match(value):
            _add(errors, name, message)
    return len(errors.get(name, ())) == before


def _timestamp(value: str, now: datetime, errors: Errors) -> None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _add(errors, "occurred_at", "Use ISO 8601 with an offset, e.g. 2026-11-25T14:30:00+08:00.")
        return
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        _add(errors, "occurred_at", "The time needs a UTC offset, e.g. +08:00.")
    elif parsed > now + FUTURE_TOLERANCE:
        _add(errors, "occurred_at", "The time is more than 5 minutes in the future.")


def _amount(value: str, errors: Errors) -> None:
    if not _AMOUNT.match(value):
        if not _AMOUNT_ANY.match(value):
            _add(errors, "amount", 'Send the amount as a decimal string, e.g. "12.50".')
        elif "." in value and len(value.split(".")[1]) > 2:
            _add(errors, "amount", "At most 2 decimal places.")
        else:
            _add(errors, "amount", "At most 99,999,999.99.")
    elif Decimal(value) <= 0:
        _add(errors, "amount", "The amount must be greater than 0.")


def _coordinate(name: str, value: Any, errors: Errors) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _add(errors, name, "Send a number of degrees.")
        return
    limit = 90 if name == "lat" else 180
    if not -limit <= value <= limit:
        _add(errors, name, f"Out of range (-{limit} to {limit}).")


def _cross_checks(raw: dict[str, Any], cleaned: dict[str, Any], errors: Errors) -> None:
    method, kind = cleaned.get("method"), cleaned.get("type")
    if method in CARD_METHODS and "masked_pan" not in cleaned and "masked_pan" not in errors:
        _add(errors, "masked_pan", "Required for card payments.")
    if method and method not in CARD_METHODS and raw.get("masked_pan"):
        _add(errors, "masked_pan", "Only card payments carry a card number.")
    if (
        kind in REFERRING_TYPES
        and "original_report_id" not in cleaned
        and "original_report_id" not in errors
    ):
        _add(errors, "original_report_id", "Required for refunds, voids and completions.")
    if kind and kind not in REFERRING_TYPES and raw.get("original_report_id"):
        _add(
            errors,
            "original_report_id",
            "Only refunds, voids and completions refer to an original.",
        )
    if ("lat" in raw) != ("lng" in raw) and not ({"lat", "lng"} & errors.keys()):
        _add(errors, "lat" if "lat" not in raw else "lng", "Send both lat and lng, or neither.")
