"""Demo reports: a week of plausible card and QR transactions for every active terminal."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from merchants.models import Terminal, TerminalStatus

from .ingest.store import Incoming, store_reports
from .ingest.validate import validate_report
from .models import Report

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
        incoming = []
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
            incoming.append(Incoming(index, terminal.pk, terminal.merchant_id, valid))
        stored += len(store_reports(incoming, source="api").accepted)
    return stored


def _sale(terminal: Terminal, rng: random.Random, when: datetime) -> dict:
    # Busier at lunch and in the evening, as shops are.
    when = when.replace(
        hour=rng.choice([8, 9, 11, 12, 12, 13, 17, 18, 18, 19, 20, 21]), minute=rng.randrange(60)
    )
    method = rng.choices(METHODS, WEIGHTS)[0]
    amount = Decimal(rng.lognormvariate(4, 0.9)).quantize(Decimal("0.01"))
    raw = {
        "report_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "occurred_at": timezone.localtime(min(when, timezone.now())).isoformat(),
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
