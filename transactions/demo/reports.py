"""Demo reports: a week of plausible card and QR transactions for every active terminal.

And a few that break the audit rules, audited, so the review queues and the merchant's alerts
have something in them.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from merchants.models import Role, Terminal, TerminalStatus
from transactions.alerts.services import alert_transition, alerts_assign
from transactions.audit.runner import audit_run_now
from transactions.ingest.store import Incoming, store_reports
from transactions.ingest.validate import validate_report
from transactions.models import Alert, AuditRun, Report
from transactions.reports.holds import hold_place

METHODS = ["credit_card", "debit_card", "wechat", "alipay", "unionpay_qr"]
WEIGHTS = [2, 2, 4, 3, 1]


def seed_reports(*, per_terminal: int = 300, days: int = 7, seed: int = 7) -> int:
    """Report ``per_terminal`` transactions for each active terminal that has none yet."""
    rng = random.Random(seed)
    now = timezone.now()
    stored = 0
    terminals = Terminal.objects.filter(status=TerminalStatus.ACTIVE).select_related("merchant")
    for terminal in terminals:
        if Report.objects.filter(terminal=terminal).exists():
            continue
        # Reported within the hour, as an online terminal does: stored by the hour they arrived
        # in, so the audit's late-report rule finds only the late ones planted on purpose.
        by_hour: dict[datetime, list[Incoming]] = {}
        sales: list[dict] = []
        for index in range(per_terminal):
            raw = _sale(terminal, rng, now - timedelta(days=days) * rng.random())
            if sales and rng.random() < 0.03:
                raw = _refund(rng.choice(sales), rng)
            else:
                sales.append(raw)
            valid, errors = validate_report(raw, now=now)
            if valid is None:
                raise ValueError(f"demo report is invalid: {errors}")
            hour = valid.values["occurred_at"].replace(minute=0, second=0, microsecond=0)
            received = min(hour + timedelta(hours=1, minutes=2), now)
            by_hour.setdefault(received, []).append(
                Incoming(index, terminal.pk, terminal.merchant_id, valid)
            )
        for received, incoming in sorted(by_hour.items()):
            result = store_reports(incoming, source="api", received_at=received)
            stored += len(result.accepted)
    return stored


def _sale(terminal: Terminal, rng: random.Random, when: datetime) -> dict:
    # Busier at lunch and in the evening, as shops are: Beijing hours, and never in the future
    # (a later hour of today moves to yesterday rather than piling up at "now").
    when = timezone.localtime(when).replace(
        hour=rng.choice([8, 9, 11, 12, 12, 13, 17, 18, 18, 19, 20, 21]), minute=rng.randrange(60)
    )
    if when > timezone.now():
        when -= timedelta(days=1)
    method = rng.choices(METHODS, WEIGHTS)[0]
    amount = Decimal(rng.lognormvariate(4, 0.9)).quantize(Decimal("0.01"))
    raw = {
        "report_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "occurred_at": when.isoformat(),
        "amount": str(max(amount, Decimal("1.00"))),
        "type": "sale",
        "method": method,
        "rrn": f"{rng.randrange(10**12):012d}",
        "trace_no": f"{rng.randrange(10**6):06d}",
        "batch_no": "000001",
        "mcc": terminal.merchant.mcc,
        "acquirer_mid": terminal.merchant.mid,
        "tid": terminal.tid,
        "lat": float(terminal.latitude) + rng.uniform(-0.001, 0.001),
        "lng": float(terminal.longitude) + rng.uniform(-0.001, 0.001),
        "cvm": rng.choice(["pin", "signature", "contactless"])
        if method.endswith("card")
        else "none",
    }
    if method.endswith("card"):
        raw["masked_pan"] = (
            f"{rng.choice(['622848', '621700', '436742', '518710'])}******{rng.randrange(10**4):04d}"
        )
        raw["card_token"] = f"tok_{rng.randrange(400):04d}"
    return raw


def _refund(sale: dict, rng: random.Random) -> dict:
    refund = dict(sale)
    refund.update(
        report_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        type="refund",
        original_report_id=sale["report_id"],
        rrn=f"{rng.randrange(10**12):012d}",
    )
    return refund


# --- alerts --------------------------------------------------------------------------------------

DEMO_TRIGGER = "demo"


def _planted(terminal: Terminal, name: str, **fields: object) -> dict:
    """A suspicious report with an id derived from ``name``, so seeding twice stores it once."""
    raw = _sale(terminal, random.Random(name), timezone.now() - timedelta(hours=2))
    raw.update(report_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo:{terminal.tid}:{name}")))
    raw.update({key: value for key, value in fields.items() if value is not None})
    return {key: value for key, value in raw.items() if value is not None}


def _store(terminal: Terminal, raws: list[dict]) -> None:
    incoming = []
    for index, raw in enumerate(raws):
        valid, errors = validate_report(raw, now=timezone.now())
        if valid is None:
            raise ValueError(f"demo report is invalid: {errors}")
        incoming.append(Incoming(index, terminal.pk, terminal.merchant_id, valid))
    store_reports(incoming, source="api")


def _first_terminal(owner: str) -> Terminal | None:
    return (
        Terminal.objects.filter(
            status=TerminalStatus.ACTIVE,
            merchant__memberships__user__username=owner,
            merchant__memberships__role=Role.OWNER,
        )
        .select_related("merchant")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def seed_alerts() -> int:
    """Plant a few reports that break the rules, audit, and take the alerts part-way through review.

    Leaves: an alert awaiting the answer of ``shop-sh``, a held one at ``shop-sh``, and one assigned
    to ``reviewer`` at ``shop-bj``. All or nothing, so that once the demo audit is recorded there
    is nothing left to do; returns the number of alerts raised.
    """
    if AuditRun.objects.filter(trigger=DEMO_TRIGGER).exists():
        return 0
    shanghai, beijing = _first_terminal("shop-sh"), _first_terminal("shop-bj")
    if shanghai is None or beijing is None:
        return 0
    late = timezone.localtime(timezone.now() - timedelta(hours=30)).isoformat()
    _store(
        shanghai,
        [
            _planted(shanghai, "late", occurred_at=late),
            _planted(
                shanghai,
                "unverified",
                amount="8800.00",
                method="credit_card",
                cvm="contactless",
                masked_pan="622848******0042",
                card_token="tok_demo",
            ),
        ],
    )
    _store(beijing, [_planted(beijing, "mcc", mcc="5411")])
    run = audit_run_now(trigger=DEMO_TRIGGER)
    _review(shanghai, beijing)
    return run.alerts_created


def _review(shanghai: Terminal, beijing: Terminal) -> None:
    User = get_user_model()
    reviewer, lead = User.objects.get(username="reviewer"), User.objects.get(username="lead")
    mine = Alert.objects.filter(run__trigger=DEMO_TRIGGER)
    asked = mine.get(rule__code="late_report", merchant=shanghai.merchant)
    asked = alert_transition(alert=asked, name="take", actor=reviewer)
    alert_transition(
        alert=asked,
        name="ask_merchant",
        actor=reviewer,
        reason="请说明这笔交易为何延迟30小时报备。Why was this reported 30 hours late?",
    )
    held = mine.get(rule__code="unverified_high_value", merchant=shanghai.merchant)
    hold_place(
        alert=held,
        actor=lead,
        reason="大额交易无密码无签名，暂缓结算。Large payment with no PIN or signature.",
    )
    alerts_assign(
        alerts=[mine.get(rule__code="mcc_jump", merchant=beijing.merchant)],
        assignee=reviewer,
        actor=lead,
    )
