"""The matched charge between pages (a signed, short-lived token) and the tracking codes.

The charge token holds the report's pk, signed so it cannot be changed to another report and
refused after ``CHARGE_MAX_AGE``: the report is never named by id in a URL. A tracking code is
``secrets.token_urlsafe``; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing

from transactions.models import Report

CHARGE_SALT = "transactions.complaints.cardholder.charge"
CHARGE_MAX_AGE = 30 * 60


def charge_token(report: Report) -> str:
    return signing.dumps({"r": report.pk}, salt=CHARGE_SALT)


def charge_from_token(token: str) -> Report | None:
    """The report the token was made for, or None if it is forged, changed or expired."""
    try:
        data = signing.loads(token, salt=CHARGE_SALT, max_age=CHARGE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    pk = data.get("r") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None
    return Report.objects.select_related("merchant").filter(pk=pk).first()


def new_tracking_code() -> tuple[str, str]:
    """A fresh code for the cardholder and the hash to store."""
    code = secrets.token_urlsafe(18)
    return code, tracking_hash(code)


def tracking_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()
