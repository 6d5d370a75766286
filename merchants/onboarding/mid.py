"""Assigning the acquirer merchant ID (MID).

Layout of the 15 digits, as Chinese acquirers commonly lay it out:
``AAA`` acquiring institution code + ``RRRR`` region (GB/T 2260 province + "00") +
``MMMM`` MCC + ``SSSS`` sequence within that region and MCC.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from merchants.models import Merchant


class MidSpaceExhausted(Exception):
    pass


def mid_prefix(merchant: Merchant) -> str:
    region = (merchant.business_province or merchant.registered_province or "00") + "00"
    return f"{settings.ACQUIRER_INSTITUTION_CODE}{region}{merchant.mcc or '0000'}"


def assign_mid(merchant: Merchant) -> str:
    """Return the next MID after the highest one taken for the merchant's region and MCC."""
    prefix = mid_prefix(merchant)
    last = (
        Merchant.objects.filter(mid__startswith=prefix)
        .order_by("-mid")
        .values_list("mid", flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    if sequence > 9999:
        raise MidSpaceExhausted(prefix)
    return f"{prefix}{sequence:04d}"


def assign_mid_safely(merchant: Merchant, attempts: int = 5) -> str:
    """Assign and save a MID; the unique constraint settles races, the loser takes the next one."""
    for _attempt in range(attempts):
        merchant.mid = assign_mid(merchant)
        try:
            with transaction.atomic():
                merchant.save(update_fields=["mid"])
            return merchant.mid
        except IntegrityError:
            continue
    raise MidSpaceExhausted(mid_prefix(merchant))
