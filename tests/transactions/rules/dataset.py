"""A small, varied set of reports for the rule tests: two merchants, three terminals (one far
from Shanghai), cards used in bursts, round and odd amounts, day and night, with and without a
location."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from portal.common.beijing import SHANGHAI
from tests.factories import MerchantFactory, TerminalFactory
from tests.transactions.report_factories import make_report
from transactions.models import Report

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday, 09:00 in Beijing


def build() -> dict[str, Any]:
    shop = MerchantFactory(approved=True, mcc="5411")
    other = MerchantFactory(approved=True, mcc="5812")
    t1 = TerminalFactory(merchant=shop, active=True)
    t2 = TerminalFactory(merchant=shop, active=True)
    t3 = TerminalFactory(
        merchant=other,
        active=True,
        province="44",
        latitude=Decimal("23.1291"),
        longitude=Decimal("113.2644"),
    )
    plan = [
        # terminal, minutes after BASE, amount, card, method, cvm, type, (lat, lng)
        (t1, 0, "100.00", "card-a", "credit_card", "pin", "sale", None),
        (t1, 5, "5000.00", "card-a", "credit_card", "none", "sale", None),
        (t1, 9, "6000.00", "card-a", "credit_card", "signature", "sale", None),
        (t2, 10, "7000.00", "card-a", "credit_card", "contactless", "sale", None),
        (t2, 70, "4999.50", "card-a", "debit_card", "none", "sale", None),
        (t1, 60 * 14, "20000.00", "card-b", "credit_card", "none", "sale", ("31.30", "121.50")),
        (t1, 60 * 14 + 1, "300.00", "", "wechat", "none", "sale", ("30.10", "120.10")),
        (t2, 60 * 15, "300.00", "", "alipay", "none", "refund", None),
        (t2, 60 * 24 * 2, "1000.00", "card-b", "credit_card", "pin", "sale", None),
        (
            t2,
            60 * 24 * 2 + 3,
            "2000.00",
            "card-c",
            "credit_card",
            "pin",
            "preauth_completion",
            None,
        ),
        (t1, 60 * 24 * 2 + 4, "3000.00", "card-d", "debit_card", "none", "sale", None),
        (t3, 30, "8000.00", "card-a", "credit_card", "none", "sale", ("23.13", "113.26")),
        (t3, 31, "8000.00", "card-e", "credit_card", "none", "sale", ("31.23", "121.47")),
        (t3, 60 * 16, "50.00", "card-e", "unionpay_qr", "none", "void", None),
    ]
    reports = []
    for terminal, minutes, amount, card, method, cvm, kind, place in plan:
        lat, lng = (Decimal(place[0]), Decimal(place[1])) if place else (None, None)
        reports.append(
            make_report(
                terminal,
                occurred_at=BASE + timedelta(minutes=minutes),
                amount=Decimal(amount),
                card_token=card,
                masked_pan="622848******1234" if card else "",
                method=method,
                cvm=cvm,
                type=kind,
                lat=lat,
                lng=lng,
                mcc=terminal.merchant.mcc,
                acquirer_mid=terminal.merchant.mid,
                source="api" if method != "wechat" else "file",
            )
        )
    return {
        "shop": shop,
        "other": other,
        "terminals": (t1, t2, t3),
        "reports": reports,
        "ids": [r.pk for r in reports],
    }


def all_reports():
    return Report.objects.all()
