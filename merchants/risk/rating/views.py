"""The merchant's own risk level, in plain words, and what it can do about it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from merchants.members.access import merchant_required
from merchants.risk.inspections.selectors import inspection_dates
from merchants.risk.rating.advice import MEANING, TIPS
from merchants.risk.rating.selectors import factors_read, policy_of, rating_of


@merchant_required()
def risk_level(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    risk = rating_of(merchant=merchant)
    level = risk.level_at() if risk else None
    factors = factors_read(risk) if risk else []
    return render(
        request,
        "merchants/risk.html",
        {
            "merchant": merchant,
            "dates": inspection_dates(merchant),
            "risk": risk,
            "level": level,
            "meaning": MEANING.get(level) if level else None,
            "policy": policy_of(level=level),
            "tips": [
                {"name": f["name"], "points": f["points"], "tip": TIPS[f["code"]]}
                for f in factors
                if f["points"] > 0 and f["code"] in TIPS
            ],
        },
    )
