"""Reads of a merchant's terminals."""

from __future__ import annotations

from django.db.models import QuerySet

from merchants.models import (
    Merchant,
    Terminal,
)


def terminals_for_merchant(merchant: Merchant) -> QuerySet[Terminal]:
    return Terminal.objects.for_merchant(merchant).order_by("-created_at")
