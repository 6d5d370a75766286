"""A merchant with a few days of reports, a held alert awaiting its answer and a batch file on record.

Shared by the walkthrough and the accessibility audit, so both look at pages with real content
(tables with rows, badges, a form to answer) rather than at empty states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from merchants.models import Role, Terminal
from merchants.terminals.services import terminal_key_issue
from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.audit.helpers import alerts, audit, only_rule, plant, shanghai
from tests.transactions.helpers import reporting_terminal
from transactions.alerts.services import alert_transition
from transactions.audit.runner import ensure_rules
from transactions.models import Alert, Report, ReportUpload, UploadStatus
from transactions.reports.holds import hold_place

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's


def held_asking_the_owner(alert: Alert) -> AbstractBaseUser:
    """A lead takes the MCC-jump alert, asks the merchant why and places a hold; returns an
    owner of the merchant, who is to answer."""
    lead = StaffFactory(groups=["compliance lead"])
    alert_transition(alert=alert, name="take", actor=lead)
    alert_transition(alert=alert, name="ask_merchant", actor=lead, reason="Why MCC 5812?")
    hold_place(alert=alert, actor=lead, reason="Suspected MCC jumping")
    return MembershipFactory(merchant=alert.merchant, role=Role.OWNER).user


# (days ago, Shanghai hour, method, amount): yesterday has 3 credit-card sales among others.
SALES = [
    (1, 10, "credit_card", "128.50"),
    (1, 12, "credit_card", "66.00"),
    (1, 15, "credit_card", "1200.00"),
    (1, 16, "wechat", "35.00"),
    (1, 18, "alipay", "88.80"),
    (2, 11, "credit_card", "300.00"),
    (2, 13, "unionpay_qr", "42.00"),
    (9, 14, "debit_card", "510.00"),
]
YESTERDAY_CREDIT_CARD = 3


@dataclass
class Shop:
    terminal: Terminal
    owner: AbstractBaseUser
    alert: Alert
    reports: list[Report]
    upload: ReportUpload


def shop_with_a_held_alert() -> Shop:
    """An approved, reporting merchant whose MCC-jump alert compliance asked about and held."""
    ensure_rules()  # a transactional test before this one may have emptied the table
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    terminal_key_issue(terminal=terminal)  # its page then lists a key
    reports = [
        plant(
            terminal,
            at=shanghai(days_ago, hour),
            method=method,
            amount=amount,
            rrn=f"3312{n:08d}",
            trace_no=f"{n + 100:06d}",
            **_card_fields(method),
        )
        for n, (days_ago, hour, method, amount) in enumerate(SALES)
    ]
    reports.append(plant(terminal, at=shanghai(3, 20), mcc="5812", rrn="331299999999"))
    audit()
    [alert] = alerts("mcc_jump")
    owner = held_asking_the_owner(alert)
    upload = ReportUpload.objects.create(
        merchant=terminal.merchant,
        uploaded_by=owner,
        original_name="march.csv",
        status=UploadStatus.DONE,
        total_rows=4,
        processed_rows=4,
        accepted=4,
    )
    return Shop(terminal=terminal, owner=owner, alert=alert, reports=reports, upload=upload)


def _card_fields(method: str) -> dict[str, Any]:
    # QR payments carry no card: no masked card number, no PIN.
    if method.endswith("_card"):
        return {}
    return {"masked_pan": None, "card_token": None, "cvm": "none"}
