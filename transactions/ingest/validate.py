"""Validation of one report as sent by a terminal, a file row or the manual-entry form.

The rules are those of shared/API.md. Every problem is collected per field, so the sender sees
all of them at once; a value that contains a full card number is never echoed back.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from transactions.ingest.cardscan import contains_pan, is_sensitive_name
from transactions.ingest.wire import FIELD_SET, FIELDS, REQUIRED
from transactions.models import CARD_METHODS, REFERRING_TYPES, Cvm, PaymentMethod, ReportType

# Identifiers of a fixed digit format checked below; a 15-digit MID passes Luhn one time in
# ten, so scanning it for card numbers would refuse valid reports.
NOT_SCANNED = frozenset({"acquirer_mid"})
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_AMOUNT = Decimal("99999999.99")

_AMOUNT = re.compile(r"^\d{1,8}(\.\d{1,2})?$")
_AMOUNT_ANY = re.compile(r"^\d+(\.\d+)?$")
_FORMATS: dict[str, tuple[re.Pattern[str], Any]] = {
    "currency": (re.compile(r"^[A-Z]{3}$"), _("Use an ISO 4217 code such as CNY.")),
    "masked_pan": (
        re.compile(r"^\d{6}\*{3,9}\d{4}$"),
        _("Send the first 6 and last 4 digits with the rest as *, e.g. 622848******1234."),
    ),
    "card_token": (
        re.compile(r"^[A-Za-z0-9_.:=+/-]{1,64}$"),
        _("Up to 64 letters, digits or _.:=+/-."),
    ),
    "rrn": (re.compile(r"^[A-Za-z0-9]{12}$"), _("An RRN is 12 letters or digits.")),
    "trace_no": (re.compile(r"^\d{6}$"), _("A trace number is 6 digits.")),
    "batch_no": (re.compile(r"^\d{6}$"), _("A batch number is 6 digits.")),
    "auth_code": (
        re.compile(r"^[A-Za-z0-9]{1,6}$"),
        _("An authorisation code is up to 6 letters or digits."),
    ),
    "mcc": (re.compile(r"^\d{4}$"), _("An MCC is 4 digits.")),
    "acquirer_mid": (re.compile(r"^\d{15}$"), _("A merchant ID is 15 digits.")),
    "tid": (re.compile(r"^[A-Za-z0-9]{8}$"), _("A terminal ID is 8 letters or digits.")),
}
_CHOICES = {
    "type": frozenset(ReportType.values),
    "method": frozenset(PaymentMethod.values),
    "cvm": frozenset(Cvm.values),
}

PAN_MESSAGE = _(
    "Contains a full card number. Send only the masked number (first 6 and last 4 digits)."
)
SENSITIVE_MESSAGE = _("Card verification, PIN and track data must never be sent.")

Errors = dict[str, list[Any]]


@dataclass(slots=True)
class ValidReport:
    """A report that passed validation: model-ready values and its idempotency facts."""

    values: dict[str, Any]
    report_id: uuid.UUID
    content_hash: str


def _add(errors: Errors, field: str, message: Any) -> None:
    errors.setdefault(field, []).append(message)


def scan_sensitive(raw: dict[str, Any], errors: Errors) -> None:
    """Refuse sensitive field names and any string holding a full card number."""
    for name, value in raw.items():
        if not isinstance(name, str) or contains_pan(name):
            _add(errors, "non_field_errors", PAN_MESSAGE)
            continue
        if is_sensitive_name(name):
            _add(errors, name, SENSITIVE_MESSAGE)
        elif isinstance(value, str) and name not in NOT_SCANNED and contains_pan(value):
            _add(errors, name if name in FIELD_SET else "non_field_errors", PAN_MESSAGE)


def validate_report(raw: Any, *, now: datetime) -> tuple[ValidReport | None, Errors]:
    """Check one report; return it ready to store, or None with the errors by field."""
    if not isinstance(raw, dict):
        return None, {"non_field_errors": [_("Each report must be a JSON object.")]}
    errors: Errors = {}
    scan_sensitive(raw, errors)
    if errors:
        # Nothing else is looked at: a row carrying card data is refused as a whole.
        return None, errors
    for name in raw:
        if name not in FIELD_SET:
            _add(
                errors,
                name if re.fullmatch(r"[A-Za-z0-9_]{1,64}", name) else "non_field_errors",
                _("Unknown field."),
            )
    for name in REQUIRED:
        if raw.get(name) in (None, ""):
            _add(errors, name, _("This field is required."))
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = raw.get(name)
        if value in (None, "") or name in errors:
            continue
        cleaned = _clean(name, value, now, errors)
        if cleaned is not None:
            values[name] = cleaned
    _cross_checks(raw, values, errors)
    if errors:
        return None, errors
    values.setdefault("currency", "CNY")
    for name in ("masked_pan", "card_token", "batch_no", "auth_code"):
        values.setdefault(name, "")
    return ValidReport(values, values["report_id"], content_hash(values)), {}


def _clean(name: str, value: Any, now: datetime, errors: Errors) -> Any:
    if name in ("lat", "lng"):
        return _coordinate(name, value, errors)
    if not isinstance(value, str):
        _add(errors, name, _("Send this field as a string."))
        return None
    if name in ("report_id", "original_report_id"):
        try:
            return uuid.UUID(value)
        except ValueError:
            _add(errors, name, _("Enter a valid UUID."))
            return None
    if name == "occurred_at":
        return _timestamp(value, now, errors)
    if name == "amount":
        return _amount(value, errors)
    if name in _CHOICES:
        if value not in _CHOICES[name]:
            allowed = ", ".join(sorted(_CHOICES[name]))
            _add(errors, name, _("Use one of: %(allowed)s.") % {"allowed": allowed})
            return None
        return value
    pattern, message = _FORMATS[name]
    if not pattern.match(value):
        _add(errors, name, message)
        return None
    return value.upper() if name == "tid" else value


def _timestamp(value: str, now: datetime, errors: Errors) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _add(
            errors, "occurred_at", _("Use ISO 8601 with an offset, e.g. 2026-11-25T14:30:00+08:00.")
        )
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        _add(errors, "occurred_at", _("The time needs a UTC offset, e.g. +08:00."))
        return None
    if parsed > now + FUTURE_TOLERANCE:
        _add(errors, "occurred_at", _("The time is more than 5 minutes in the future."))
        return None
    return parsed


def _amount(value: str, errors: Errors) -> Decimal | None:
    if not _AMOUNT.match(value):
        if not _AMOUNT_ANY.match(value):
            _add(errors, "amount", _('Send the amount as a decimal string, e.g. "12.50".'))
        elif "." in value and len(value.split(".")[1]) > 2:
            _add(errors, "amount", _("At most 2 decimal places."))
        else:
            _add(errors, "amount", _("At most 99,999,999.99."))
        return None
    amount = Decimal(value)
    if amount <= 0:
        _add(errors, "amount", _("The amount must be greater than 0."))
        return None
    return amount


def _coordinate(name: str, value: Any, errors: Errors) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _add(errors, name, _("Send a number of degrees."))
        return None
    limit = 90 if name == "lat" else 180
    if not -limit <= value <= limit:
        _add(errors, name, _("Out of range (-%(limit)s to %(limit)s).") % {"limit": limit})
        return None
    return Decimal(repr(float(value))).quantize(Decimal("0.000001"))


def _cross_checks(raw: dict[str, Any], values: dict[str, Any], errors: Errors) -> None:
    method, kind = values.get("method"), values.get("type")
    if method in CARD_METHODS and "masked_pan" not in values and "masked_pan" not in errors:
        _add(errors, "masked_pan", _("Required for card payments."))
    if method and method not in CARD_METHODS and raw.get("masked_pan"):
        _add(errors, "masked_pan", _("Only card payments carry a card number."))
    if (
        kind in REFERRING_TYPES
        and "original_report_id" not in values
        and "original_report_id" not in errors
    ):
        _add(errors, "original_report_id", _("Required for refunds, voids and completions."))
    if kind and kind not in REFERRING_TYPES and raw.get("original_report_id"):
        _add(
            errors,
            "original_report_id",
            _("Only refunds, voids and completions refer to an original."),
        )
    if ("lat" in raw) != ("lng" in raw) and not ({"lat", "lng"} & errors.keys()):
        _add(errors, "lat" if "lat" not in raw else "lng", _("Send both lat and lng, or neither."))


def content_hash(values: dict[str, Any]) -> str:
    """A digest of the normalised content: equal for an identical resend, different otherwise."""
    parts = []
    for name in FIELDS:
        value = values.get(name)
        if isinstance(value, datetime):
            value = value.timestamp()
        parts.append("" if value is None else str(value))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
