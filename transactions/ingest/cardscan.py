"""Finding full card numbers (PANs) and sensitive authentication data where they must not be.

A PAN is a run of 13 to 19 digits that passes the Luhn check (shared/API.md); a longer run of
digits is some other number (an order number, a timestamp) and is left alone. The groupings people type (4-4-4-4 with
spaces or dashes, Amex 4-6-5) count too; other groupings (a UUID's 8-4-4-4-12) do not, or one
report id in ten would be mistaken for a card number.
"""

from __future__ import annotations

import re

from stdnum import luhn

_DIGIT_RUN = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
_GROUPED = re.compile(
    r"(?<![\w-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{5})(?![\w-])"
)
_SENSITIVE_NAME = re.compile(
    r"^(cvv2?|cvc2?|cvn2?|cid|csc|pin|pin_?block|pinblock|track_?[123]|track_?data|"
    r"full_?pan|pan|card_?number|cardno|card_no)$",
    re.IGNORECASE,
)


def contains_pan(text: str) -> bool:
    if len(text) < 13:
        return False
    for match in _GROUPED.finditer(text):
        if luhn.is_valid(re.sub(r"[ -]", "", match.group())):
            return True
    return any(luhn.is_valid(match.group()) for match in _DIGIT_RUN.finditer(text))


def is_sensitive_name(name: str) -> bool:
    """Field names that would carry CVV, PIN or track data: refused whatever they hold."""
    return bool(_SENSITIVE_NAME.match(name))
