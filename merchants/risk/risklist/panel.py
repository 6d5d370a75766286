"""The risk list on a merchant's admin page and on its rating: live hits and checks recorded."""

from __future__ import annotations

from django.template.loader import render_to_string

from merchants.models import Merchant
from merchants.risk.risklist.selectors import checks_of, manual_hits, merchant_matches


def risk_list_panel(merchant: Merchant) -> str:
    """Shown to staff only (admin); the link to record a check is refused to those without the
    right by its view."""
    return render_to_string(
        "admin/merchants/risk_list_panel.html",
        {
            "merchant": merchant,
            "entries": merchant_matches(merchant),
            "manual": manual_hits(Merchant.objects.filter(pk=merchant.pk)).get(merchant.pk),
            "checks": checks_of(merchant)[:10],
        },
    )
