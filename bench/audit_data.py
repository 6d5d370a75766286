"""The audit benchmark's data set: merchants, terminals and a month of reports, written with COPY.

Deterministic (seeded). Realistic mixes (methods, types, amounts, cards, locations, opening hours,
refunds of earlier sales) plus a sprinkling of planted patterns, so every rule has something to find.
Reports of the incremental batch carry batch number ``INCR01`` so a re-run can remove them.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import deque
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from transactions.ingest.store import COLUMNS

TAG = "audit-bench"
INCREMENT_BATCH = "INCR01"
# 10,000 reports are about seven busy hours of this data set: a working day's audit.
INCREMENT_SPAN = timedelta(hours=8)
SHANGHAI = ZoneInfo("Asia/Shanghai")
MCCS = ["5411", "5812", "5311", "5999", "7011", "5541", "5912", "5732"]
METHODS = ["credit_card"] * 30 + ["debit_card"] * 25 + ["wechat"] * 20 + ["alipay"] * 20
METHODS += ["unionpay_qr"] * 5
CVMS = ["pin"] * 6 + ["signature"] + ["contactless"] * 3
CITIES = [(31.23, 121.47), (39.90, 116.40), (23.13, 113.26), (30.27, 120.15), (30.57, 104.07)]


def dataset_anchor() -> datetime | None:
    """The data set's "now": every base report was received before it, None if there is none."""
    from django.db.models import Max

    from merchants.models import Merchant
    from transactions.models import Report

    if not Merchant.objects.filter(short_name__startswith=TAG).exists():
        return None
    # Its own merchants' reports only: the ingestion benchmarks empty the table and add theirs.
    own = Report.objects.filter(merchant__short_name__startswith=TAG)
    last = own.exclude(batch_no=INCREMENT_BATCH).aggregate(m=Max("received_at"))["m"]
    if last is None:
        return None
    return last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def choose_anchor(now: datetime) -> datetime:
    """The last 09:00 in Shanghai that leaves the incremental hours in the past."""
    local = (now - INCREMENT_SPAN).astimezone(SHANGHAI)
    anchor = local.replace(hour=9, minute=0, second=0, microsecond=0)
    return anchor if anchor <= local else anchor - timedelta(days=1)


def wipe() -> None:
    """Remove the audit records, the reports and the benchmark's merchants."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE transactions_report, transactions_terminalday, transactions_alert, "
            "transactions_auditrun, transactions_historicalalert RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            "DELETE FROM merchants_terminal WHERE merchant_id IN "
            "(SELECT id FROM merchants_merchant WHERE short_name LIKE %s)",
            [TAG + "%"],
        )
        cursor.execute(
            "DELETE FROM merchants_reportingsettings WHERE merchant_id IN "
            "(SELECT id FROM merchants_merchant WHERE short_name LIKE %s)",
            [TAG + "%"],
        )
        cursor.execute("DELETE FROM merchants_merchant WHERE short_name LIKE %s", [TAG + "%"])


def reset_audits() -> None:
    """Forget every audit run and alert, and the incremental batch, so the next run is a first run."""
    from transactions.analytics.rollups import rollup_fold
    from transactions.models import Report

    rollup_fold(Report.objects.filter(batch_no=INCREMENT_BATCH), sign=-1)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE transactions_alert, transactions_auditrun, transactions_historicalalert "
            "RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM transactions_report WHERE batch_no = %s", [INCREMENT_BATCH])


def make_merchants(n: int, rnd: random.Random) -> list[dict[str, Any]]:
    """Approved merchants with reporting on and 1-5 active terminals each; returns a plain view."""
    from merchants.models import (
        ApplicationStatus,
        Merchant,
        ReportingSettings,
        Terminal,
        TerminalStatus,
    )

    merchants = Merchant.objects.bulk_create(
        Merchant(
            legal_name=f"Audit bench merchant {i}",
            short_name=f"{TAG}-{i}",
            mcc=MCCS[i % len(MCCS)],
            status=ApplicationStatus.APPROVED,
            mid=f"89831{i:010d}",
        )
        for i in range(n)
    )
    ReportingSettings.objects.bulk_create(
        ReportingSettings(merchant=m, enabled=True, deadline_hours=48 if i % 10 == 0 else 24)
        for i, m in enumerate(merchants)
    )
    terminals, plan = [], []
    for i, merchant in enumerate(merchants):
        lat, lng = CITIES[i % len(CITIES)]
        lat, lng = lat + rnd.uniform(-0.2, 0.2), lng + rnd.uniform(-0.2, 0.2)
        own = []
        for _ in range(rnd.randint(1, 5)):
            t = Terminal(
                merchant=merchant,
                serial_number=f"AB-{len(terminals):07d}",
                model_name="bench",
                tid=f"A{len(terminals):07d}",
                status=TerminalStatus.ACTIVE,
                province="31",
                city="bench",
                address="bench",
                latitude=Decimal(f"{lat + rnd.uniform(-0.01, 0.01):.6f}"),
                longitude=Decimal(f"{lng + rnd.uniform(-0.01, 0.01):.6f}"),
            )
            terminals.append(t)
            own.append(t)
        opens = rnd.choice([7, 8, 9, 10, 11])
        plan.append(
            {
                "id": merchant.pk,
                "mcc": merchant.mcc,
                "mid": merchant.mid,
                "weight": rnd.paretovariate(1.5),
                "hours": list(range(opens, min(opens + rnd.randint(9, 13), 24))),
                "terminals": own,
            }
        )
    Terminal.objects.bulk_create(terminals)
    for m in plan:
        m["terminals"] = [
            {"id": t.pk, "tid": t.tid, "lat": float(t.latitude), "lng": float(t.longitude)}
            for t in m["terminals"]
        ]
    return plan


class Writer:
    """Formats report rows as COPY text and streams them to PostgreSQL."""

    def __init__(self, rnd: random.Random, copy: Any) -> None:
        self.rnd, self.copy, self.count = rnd, copy, 0
        self.sales: dict[int, deque] = {}

    def write(
        self,
        m: dict[str, Any],
        t: dict[str, Any],
        at: datetime,
        *,
        received: datetime | None = None,
        amount: Decimal | None = None,
        type: str = "sale",
        method: str | None = None,
        card: int | None = None,
        cvm: str | None = None,
        mcc: str | None = None,
        mid: str | None = None,
        tid: str | None = None,
        where: tuple[float, float] | None = None,
        original: uuid.UUID | None = None,
        batch: str = "000001",
    ) -> dict[str, Any]:
        rnd = self.rnd
        method = method or rnd.choice(METHODS)
        carded = method in ("credit_card", "debit_card")
        if amount is None:
            amount = Decimal(f"{min(math.exp(rnd.gauss(4.4, 1.3)), 49999):.2f}")
        if card is None and carded:
            card = rnd.randrange(400_000)
        pan, token = (f"622848******{card % 10000:04d}", f"tok{card}") if carded else ("", "")
        cvm = cvm or (rnd.choice(CVMS) if carded else "none")
        if where is None and rnd.random() < 0.9:
            where = (t["lat"] + rnd.uniform(-0.004, 0.004), t["lng"] + rnd.uniform(-0.004, 0.004))
        received = received or at + timedelta(seconds=rnd.randint(1, 600))
        rid = uuid.UUID(int=rnd.getrandbits(128), version=4)
        self.count += 1
        fields = (
            t["id"],
            m["id"],
            rid,
            at.isoformat(),
            received.isoformat(),
            amount,
            "CNY",
            type,
            method,
            pan,
            token,
            f"{self.count % 10**12:012d}",
            f"{self.count % 10**6:06d}",
            batch,
            "",
            mcc or m["mcc"],
            mid or m["mid"],
            tid or t["tid"],
            f"{where[0]:.6f}" if where else "\\N",
            f"{where[1]:.6f}" if where else "\\N",
            cvm,
            original or "\\N",
            "api",
            f"{rid.int:064x}",
            "\\N",
        )
        self.copy.write("\t".join(map(str, fields)) + "\n")
        row = {"rid": rid, "amount": amount, "card": card, "method": method, "at": at}
        if type == "sale":
            self.sales.setdefault(m["id"], deque(maxlen=30)).append(row)
        return row

    def ordinary(self, m: dict[str, Any], at: datetime, batch: str = "000001") -> None:
        """A sale, or now and then a refund or void of one of the merchant's recent sales."""
        t = self.rnd.choice(m["terminals"])
        recent = self.sales.get(m["id"])
        if recent and self.rnd.random() < 0.04:
            sale = self.rnd.choice(recent)
            kind = "refund" if self.rnd.random() < 0.75 else "void"
            part = sale["amount"] if kind == "void" else sale["amount"] * Decimal("0.5")
            self.write(
                m,
                t,
                at,
                amount=part.quantize(Decimal("0.01")),
                type=kind,
                method=sale["method"],
                card=sale["card"],
                original=sale["rid"],
                batch=batch,
            )
        else:
            self.write(m, t, at, batch=batch)


def _moment(rnd: random.Random, m: dict[str, Any], day: datetime) -> datetime:
    hour = rnd.choice(m["hours"])
    return day + timedelta(hours=hour, seconds=rnd.randrange(3600))


def build(*, reports: int, merchants: int, anchor: datetime, seed: int = 7) -> int:
    """Write the data set ending at ``anchor`` (an aware datetime); returns the number of reports."""
    rnd = random.Random(seed)
    plan = make_merchants(merchants, rnd)
    weights = [m["weight"] for m in plan]
    days = 30
    per_day = reports // days
    # Shanghai midnight of each day, as UTC instants (the hour offsets below are local hours).
    local_midnight = (anchor + timedelta(hours=8)).replace(hour=0, minute=0, second=0) - timedelta(
        hours=8
    )
    dormant = plan[-5:]
    statement = f"COPY transactions_report ({', '.join(COLUMNS)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            w = Writer(rnd, copy)
            for m in dormant:  # reported 34 days ago, then fell silent
                for _ in range(5):
                    w.ordinary(m, _moment(rnd, m, local_midnight - timedelta(days=34)))
            active = plan[:-5]
            for d in range(days, 0, -1):
                day = local_midnight - timedelta(days=d - 1)
                chosen = rnd.choices(active, weights=weights[:-5], k=per_day)
                moments = sorted(
                    ((_moment(rnd, m, day), i) for i, m in enumerate(chosen)), key=lambda x: x[0]
                )
                for at, i in moments:
                    if at < anchor - timedelta(minutes=15):
                        w.ordinary(chosen[i], at)
            plant(w, rnd, plan, anchor)
        silent = [t["id"] for m in plan[100:120] for t in m["terminals"]]
        cursor.execute(  # these terminals fell silent three days ago
            "DELETE FROM transactions_report WHERE terminal_id = ANY(%s) AND occurred_at > %s",
            [silent, anchor - timedelta(days=3)],
        )
        stored = w.count - cursor.rowcount
    # COPY went around ingestion, so the daily totals are counted from the reports once.
    from transactions.analytics.rollups import rollup_rebuild

    rollup_rebuild()
    return stored


def plant(w: Writer, rnd: random.Random, plan: list[dict[str, Any]], anchor: datetime) -> None:
    """A few of each pattern the rules look for, spread over the month."""
    for k in range(40):
        m = plan[rnd.randrange(len(plan) - 5)]
        t = m["terminals"][0]
        at = anchor - timedelta(days=rnd.randint(4, 28), hours=rnd.randint(0, 12))
        w.write(m, t, at, received=at + timedelta(hours=60))  # late
        w.write(m, t, at, mcc="4829")  # MCC jumping
        w.write(
            m, t, at, tid="Z9999999" if k % 2 else None, mid=None if k % 2 else "898319999999999"
        )
        w.write(m, t, at, where=(t["lat"] + 0.3, t["lng"]))  # 33 km from home
        w.write(m, t, at, where=(t["lat"] + 1.0, t["lng"] + 1.0))  # and 140 km the next minute
        w.write(m, t, at + timedelta(minutes=1), where=(t["lat"] - 1.0, t["lng"] - 1.0))
        for i in range(6):  # one card six times in a day
            w.write(m, t, at + timedelta(minutes=20 * i), method="credit_card", card=900_000 + k)
        w.write(m, t, at, amount=Decimal("20000.00"))  # round
        w.write(m, t, at, amount=Decimal("9950.00") + k)  # just under 10,000
        w.write(m, t, at, amount=Decimal("8000.00"), method="credit_card", cvm="none")
        sale = w.write(m, t, at, method="debit_card", card=910_000 + k, amount=Decimal("300"))
        w.write(
            m,
            t,
            at + timedelta(seconds=20),
            method="debit_card",
            card=910_000 + k,
            amount=Decimal("300"),
        )
        w.write(
            m,
            t,
            at + timedelta(hours=1),
            type="refund",
            method="debit_card",
            card=910_000 + k,
            amount=Decimal("500"),
            original=sale["rid"],
        )  # larger than its original
        w.write(
            m,
            t,
            at + timedelta(hours=1),
            type="refund",
            method="debit_card",
            card=1,
            original=uuid.UUID(int=rnd.getrandbits(128), version=4),
        )  # no original
        quiet = (m["hours"][0] - 4) % 24
        night = (at + timedelta(hours=8)).replace(hour=quiet, minute=10) - timedelta(hours=8)
        w.write(m, t, night, method="credit_card")  # when the shop is closed
    for m in plan[200:205]:  # a day with many times the usual sales
        day = anchor - timedelta(days=2, hours=6)
        for i in range(60):
            w.write(m, m["terminals"][0], day + timedelta(minutes=i), amount=Decimal("4321.00"))


def build_increment(*, anchor: datetime, count: int, seed: int = 11) -> int:
    """``count`` new reports over the working hours after ``anchor`` (plus the planted few).

    Each is drawn like the last week's reports at the same hour of the day: same merchants,
    terminals and opening hours, so the increment looks like a day of business.
    """
    from django.db.models import Count
    from django.db.models.functions import ExtractHour

    from merchants.models import Merchant, Terminal
    from transactions.models import Report

    rnd = random.Random(seed)
    terminals = {
        t["id"]: {
            "id": t["id"],
            "merchant_id": t["merchant_id"],
            "tid": t["tid"],
            "lat": float(t["latitude"]),
            "lng": float(t["longitude"]),
        }
        for t in Terminal.objects.filter(merchant__short_name__startswith=TAG).values(
            "id", "merchant_id", "tid", "latitude", "longitude"
        )
    }
    merchants = {
        m["id"]: {**m, "terminals": [], "hours": []}
        for m in Merchant.objects.filter(short_name__startswith=TAG).values("id", "mcc", "mid")
    }
    usual = (
        Report.objects.filter(occurred_at__gte=anchor - timedelta(days=7), occurred_at__lt=anchor)
        .order_by()
        .annotate(hour=ExtractHour("occurred_at", tzinfo=SHANGHAI))
        .values_list("hour", "merchant_id", "terminal_id")
        .annotate(n=Count("*"))
    )
    by_hour: dict[int, list] = {}
    for hour, merchant_id, terminal_id, n in usual:
        by_hour.setdefault(hour, []).append((merchant_id, terminal_id, n))
    slots = []
    for offset in range(int(INCREMENT_SPAN / timedelta(hours=1))):
        start = anchor + timedelta(hours=offset)
        for merchant_id, terminal_id, n in by_hour.get(start.astimezone(SHANGHAI).hour, []):
            slots.append((start, merchant_id, terminal_id, n))
    picks = rnd.choices(slots, weights=[n for *_, n in slots], k=count)
    statement = f"COPY transactions_report ({', '.join(COLUMNS)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        w = Writer(rnd, copy)
        moments = sorted(
            (start + timedelta(seconds=rnd.randrange(3600)), m, t) for start, m, t, _ in picks
        )
        for at, merchant_id, terminal_id in moments:
            m = merchants[merchant_id]
            m["terminals"] = [terminals[terminal_id]]
            w.ordinary(m, at, batch=INCREMENT_BATCH)
        own = {t["merchant_id"]: t for t in terminals.values()}
        for merchant_id in sorted(merchants)[-5:]:  # the dormant terminals wake up
            w.write(
                merchants[merchant_id],
                own[merchant_id],
                anchor + timedelta(minutes=5),
                batch=INCREMENT_BATCH,
            )
        first = min(merchants)
        w.write(
            merchants[first],
            own[first],
            anchor + timedelta(minutes=7),
            mcc="4829",
            batch=INCREMENT_BATCH,
        )
    # What ingestion does in the same transaction as the reports (COPY went around it).
    from transactions.analytics.rollups import rollup_fold

    rollup_fold(Report.objects.filter(batch_no=INCREMENT_BATCH))
    return w.count
