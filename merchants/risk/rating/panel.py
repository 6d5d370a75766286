"""The rating as an admin panel (level, score, factors, a risk-list hit, changes of level): shown on the rating's
page and on the merchant's page in admin, so it lives here rather than in either admin."""

from __future__ import annotations

from django.template.loader import render_to_string

from merchants.models import Merchant
from merchants.risk.rating.selectors import factors_read, level_history, rating_of
from merchants.risk.risklist.selectors import hit_message, manual_hits, merchant_matches


def rating_panel(merchant: Merchant) -> str:
    risk = rating_of(merchant=merchant)
    return render_to_string(
        "admin/merchants/risk_panel.html",
        {
            "risk": risk,
            "factors": factors_read(risk) if risk else [],
            "history": level_history(merchant=merchant)[:20],
            # A hit on the external risk list, in words, above the factors.
            "risk_list_hits": hit_message(merchant_matches(merchant)),
            "risk_list_manual": manual_hits(Merchant.objects.filter(pk=merchant.pk)).get(
                merchant.pk
            ),
            "merchant": merchant,
        },
    )
