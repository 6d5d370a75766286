"""The rating as an admin panel (level, score, factors, changes of level): shown on the rating's
page and on the merchant's page in admin, so it lives here rather than in either admin."""

from __future__ import annotations

from django.template.loader import render_to_string

from merchants.models import Merchant
from merchants.risk.rating.selectors import factors_read, level_history, rating_of


def rating_panel(merchant: Merchant) -> str:
    risk = rating_of(merchant=merchant)
    return render_to_string(
        "admin/merchants/risk_panel.html",
        {
            "risk": risk,
            "factors": factors_read(risk) if risk else [],
            "history": level_history(merchant=merchant)[:20],
        },
    )
