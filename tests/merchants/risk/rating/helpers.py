"""Rating one merchant in a test and reading its factors by code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from merchants.models import Merchant, MerchantRisk
from merchants.risk.rating.services import rate_merchants


def rate(merchant: Merchant, *, now: datetime | None = None) -> MerchantRisk:
    rate_merchants(merchants=Merchant.objects.filter(pk=merchant.pk), trigger="test", now=now)
    return MerchantRisk.objects.get(merchant=merchant)


def factor(merchant: Merchant, code: str, **kwargs: Any) -> dict[str, Any]:
    """The stored entry of factor ``code`` after rating the merchant now."""
    return next(f for f in rate(merchant, **kwargs).factors if f["code"] == code)
