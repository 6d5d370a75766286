"""A data set around March 2026 (Beijing), built with factories, with something on each edge.

Each thing that should count is paired with one just outside the period: 23:30 on 31 March is
in, 00:10 on 1 April is out; 00:05 on 1 March is in, 23:50 on 28 February is out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from merchants.models import ChangeCause, Merchant, RiskLevelChange, Terminal, TerminalTransition
from portal.common.beijing import SHANGHAI
from tests.factories import MerchantFactory, StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import plant
from tests.transactions.complaint_factories import ComplaintFactory, reason
from tests.transactions.helpers import reporting_terminal
from transactions.audit.runner import ensure_rules
from transactions.exchange.regulator.periods import Period
from transactions.models import (
    Alert,
    AlertStatus,
    AlertTransition,
    AuditRule,
    Complaint,
    ComplaintStatus,
    ComplaintTransition,
    Report,
)

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def bj(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A Beijing time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


IN_LAST = bj(3, 31, 23, 30)  # the last evening of the period: in
OUT_AFTER = bj(4, 1, 0, 10)  # ten past midnight after it: out
IN_FIRST = bj(3, 1, 0, 5)
OUT_BEFORE = bj(2, 28, 23, 50)


def merchant(*, approved: datetime, province: str = "31", **fields: Any) -> Merchant:
    m = MerchantFactory(approved=True, business_province=province, **fields)
    Merchant.objects.filter(pk=m.pk).update(approved_at=approved)
    m.refresh_from_db()
    return m


def terminal(
    m: Merchant,
    *,
    registered: datetime,
    steps: list[tuple[str, str, datetime]],
    province: str = "31",
    status: str = "active",
) -> Any:
    """A terminal of ``m`` registered at ``registered`` that took ``steps`` (from, to, when)."""
    t = reporting_terminal(merchant=m, province=province)
    Terminal.objects.filter(pk=t.pk).update(status=status)
    Terminal.objects.filter(pk=t.pk).update(created_at=registered)
    for from_status, to_status, when in steps:
        step = TerminalTransition.objects.create(
            terminal=t, from_status=from_status, to_status=to_status
        )
        TerminalTransition.objects.filter(pk=step.pk).update(created_at=when)
    return t


def rate(m: Merchant, level: str, when: datetime, previous: str = "") -> RiskLevelChange:
    return RiskLevelChange.objects.create(
        merchant=m,
        from_level=previous,
        to_level=level,
        cause=ChangeCause.RATING,
        score=10,
        created_at=when,
    )


def alert(m: Merchant, code: str, *, raised: datetime, steps: list[tuple[str, datetime]]) -> Alert:
    """An alert of rule ``code`` raised at ``raised``, moved to each (status, when) of ``steps``."""
    ensure_rules()  # a browser test's database was flushed of the migrations' rows
    a = AlertFactory(merchant=m, rule=AuditRule.objects.get(code=code))
    Alert.objects.filter(pk=a.pk).update(created_at=raised)
    previous = AlertStatus.OPEN
    for status, when in steps:
        step = AlertTransition.objects.create(alert=a, from_status=previous, to_status=status)
        AlertTransition.objects.filter(pk=step.pk).update(created_at=when)
        previous = status
    Alert.objects.filter(pk=a.pk).update(status=previous)
    return a


def complaint(
    report: Report, *, received: datetime, code: str, steps: list[tuple[str, datetime]]
) -> Complaint:
    c = ComplaintFactory(report=report, reason=reason(code), created_at=received)
    previous = ComplaintStatus.RECEIVED
    for status, when in steps:
        step = ComplaintTransition.objects.create(
            complaint=c, from_status=previous, to_status=status
        )
        ComplaintTransition.objects.filter(pk=step.pk).update(created_at=when)
        previous = status
    Complaint.objects.filter(pk=c.pk).update(status=previous)
    return c


@dataclass
class DataSet:
    merchants: dict[str, Merchant] = field(default_factory=dict)
    terminals: dict[str, Any] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)


def march_data() -> DataSet:
    """Merchants, terminals, ratings, reports, alerts and complaints on both sides of March."""
    d = DataSet()
    m = d.merchants
    # Shanghai, approved before March; rated low, then high on the last evening.
    m["sh"] = merchant(approved=bj(2, 10), province="31", mcc="5411")
    # Guangdong (registered only: no business province), approved in March.
    m["gd"] = merchant(
        approved=bj(3, 15), province="", registered_province="44", registered_city="广州市"
    )
    # Approved at 00:10 after the period: not a merchant of March.
    m["late"] = merchant(approved=OUT_AFTER, province="31")
    # High before March, low from 5 March: listed (high at the start).
    m["was_high"] = merchant(approved=bj(1, 5), province="33")
    # High only from 00:10 after the period: not listed.
    m["high_after"] = merchant(approved=bj(1, 5), province="33")
    # Fraud-type alert confirmed on the last evening: listed; another confirmed just after: not.
    m["fraud"] = merchant(approved=bj(1, 5), province="31")
    m["fraud_after"] = merchant(approved=bj(1, 5), province="31")

    rate(m["sh"], "low", bj(2, 11))
    rate(m["sh"], "high", IN_LAST, "low")
    rate(m["gd"], "medium", bj(3, 16))
    rate(m["gd"], "high", bj(3, 20), "medium")
    rate(m["gd"], "low", OUT_AFTER, "high")  # after the period: its level at the end is high
    rate(m["was_high"], "high", bj(2, 20))
    rate(m["was_high"], "low", bj(3, 5), "high")
    rate(m["high_after"], "medium", bj(1, 6))
    rate(m["high_after"], "high", OUT_AFTER, "medium")
    rate(m["fraud"], "low", bj(1, 6))
    rate(m["fraud_after"], "low", bj(1, 6))

    t = d.terminals
    t["sh"] = terminal(m["sh"], registered=bj(2, 10), steps=[("pending", "active", bj(2, 11))])
    t["gd"] = terminal(
        m["gd"],
        registered=bj(3, 15),
        steps=[("pending", "active", bj(3, 16)), ("active", "suspended", OUT_AFTER)],
        province="44",
        status="suspended",
    )
    # Active now and never moved: active at the end.
    t["gd_new"] = terminal(m["gd"], registered=IN_LAST, steps=[], province="44")
    # Activated only at 00:10 after: pending at the end.
    t["gd_pending"] = terminal(
        m["gd"], registered=bj(3, 20), steps=[("pending", "active", OUT_AFTER)], province="44"
    )
    t["after"] = terminal(m["gd"], registered=OUT_AFTER, steps=[], province="44")

    r = d.reports
    r["last_evening"] = plant(t["sh"], at=IN_LAST, amount="100.10", rrn="000000000001")
    r["after"] = plant(t["sh"], at=OUT_AFTER, amount="200.20", rrn="000000000002")
    r["first_morning"] = plant(
        t["sh"],
        at=IN_FIRST,
        amount="300.30",
        method="wechat",
        rrn="000000000003",
        masked_pan=None,
        card_token=None,
        cvm="none",
    )
    r["before"] = plant(t["sh"], at=OUT_BEFORE, amount="400.40", rrn="000000000004")
    r["gd_sale"] = plant(t["gd"], at=bj(3, 20), amount="55.55", rrn="000000000005")
    r["gd_refund"] = plant(
        t["gd"],
        at=bj(3, 21),
        amount="5.55",
        type="refund",
        original_report_id=str(r["gd_sale"].report_id),
        rrn="000000000006",
    )

    a = d.alerts
    a["sh_mcc"] = alert(
        m["sh"], "mcc_jump", raised=bj(3, 10), steps=[(AlertStatus.CONFIRMED, bj(3, 12))]
    )
    a["gd_late"] = alert(
        m["gd"], "late_report", raised=IN_LAST, steps=[(AlertStatus.CONFIRMED, IN_LAST)]
    )
    a["fraud"] = alert(
        m["fraud"],
        "cashout_off_hours",
        raised=bj(3, 30),
        steps=[(AlertStatus.IN_REVIEW, bj(3, 30)), (AlertStatus.CONFIRMED, IN_LAST)],
    )
    a["fraud_after"] = alert(
        m["fraud_after"],
        "cashout_same_card",
        raised=IN_LAST,
        steps=[(AlertStatus.CONFIRMED, OUT_AFTER)],
    )
    a["cleared"] = alert(
        m["sh"], "mcc_jump", raised=OUT_BEFORE, steps=[(AlertStatus.CLEARED, IN_FIRST)]
    )
    a["after"] = alert(m["sh"], "late_report", raised=OUT_AFTER, steps=[])

    complaint(
        r["last_evening"],
        received=IN_LAST,
        code="wrong_amount",
        steps=[],
    )
    complaint(
        r["first_morning"],
        received=bj(3, 2),
        code="duplicate_charge",
        steps=[(ComplaintStatus.UPHELD, bj(3, 9))],
    )
    complaint(r["after"], received=OUT_AFTER, code="wrong_amount", steps=[])
    complaint(
        r["before"],
        received=OUT_BEFORE,
        code="wrong_amount",
        steps=[(ComplaintStatus.REJECTED, OUT_AFTER)],
    )
    StaffFactory()  # a user who is no merchant's: nothing of it should count
    return d


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
