"""The nightly risk rating over many merchants (merchants/risk/rating/services.py).

On PostgreSQL (the benchmark database of ``common.py``), a data set of its own is built once:
``--merchants`` approved merchants (a sixth in listed MCCs, some in a listed region), one terminal
each, 30 days of daily rollups (``TerminalDay``, ``MerchantDay``), a confirmed alert for one merchant
in twenty. Then, timed:
  a. the first nightly run (every rating created, every first level recorded);
  b. the next night, nothing changed (the ratings compared, none written but the time);
  c. a band moved in admin (a share of the merchants change level, each change recorded).
Per factor: its query over every merchant. Queries per run, peak RSS.

    uv run python bench/risk_rating.py [--merchants 20000] [--rebuild]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import common

common.setup_django()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from merchants.models import (  # noqa: E402
    ApplicationStatus,
    HighRiskRegion,
    Merchant,
    MerchantRisk,
    RiskLevelChange,
    RiskLevelPolicy,
    Terminal,
    TerminalStatus,
)
from merchants.risk.rating.registry import Rating, factors  # noqa: E402
from merchants.risk.rating.services import rate_merchants  # noqa: E402
from transactions.models import (  # noqa: E402
    Alert,
    AlertStatus,
    AlertTransition,
    AuditRule,
    MerchantDay,
    TerminalDay,
)

TAG = "riskbench"
MCCS = ["5411", "5812", "5944", "5094", "5311", "5999"]  # 5944 and 5094 are on the list


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(count: int) -> None:
    """The merchants, terminals and 30 days of rollups, written with bulk inserts."""
    rng = random.Random(15)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        merchants = Merchant.objects.bulk_create(
            [
                Merchant(
                    legal_name=f"{TAG} {i}",
                    short_name=f"{TAG}-{i}",
                    mcc=MCCS[i % len(MCCS)],
                    status=ApplicationStatus.APPROVED,
                    mid=f"899{uuid.uuid4().int % 10**12:012d}",
                    business_province="44" if i % 10 == 0 else "31",
                    business_city="深圳市" if i % 10 == 0 else "上海市",
                    approved_at=now - timedelta(days=rng.randint(10, 900)),
                    declared_monthly_sales=Decimal(rng.choice([20000, 50000, 100000])),
                )
                for i in range(count)
            ],
            batch_size=5000,
        )
        terminals = Terminal.objects.bulk_create(
            [
                Terminal(
                    merchant=m,
                    serial_number=f"{TAG}-{m.pk}",
                    model_name="bench",
                    status=TerminalStatus.ACTIVE,
                    province="31",
                    city="上海市",
                    address="bench",
                    latitude=Decimal("31.2"),
                    longitude=Decimal("121.5"),
                )
                for m in merchants
            ],
            batch_size=5000,
        )
        for day_offset in range(30):
            day = today - timedelta(days=day_offset)
            TerminalDay.objects.bulk_create(
                [
                    TerminalDay(
                        terminal=t,
                        merchant_id=t.merchant_id,
                        day=day,
                        reports=40,
                        sales=38,
                        sales_amount=Decimal(rng.randint(500, 9000)),
                    )
                    for t in terminals
                ],
                batch_size=5000,
            )
            MerchantDay.objects.bulk_create(
                [
                    MerchantDay(merchant=m, day=day, reports=40, late=rng.choice([0, 0, 0, 1, 5]))
                    for m in merchants
                ],
                batch_size=5000,
            )
        rule = AuditRule.objects.get(code="late_report")
        alerts = Alert.objects.bulk_create(
            [
                Alert(
                    rule=rule,
                    merchant=m,
                    fingerprint=f"{TAG}:{m.pk}",
                    severity="medium",
                    status=AlertStatus.CONFIRMED,
                    explanation="bench",
                )
                for m in merchants[::20]
            ],
            batch_size=5000,
        )
        AlertTransition.objects.bulk_create(
            [
                AlertTransition(alert=a, from_status="in_review", to_status="confirmed")
                for a in alerts
            ],
            batch_size=5000,
        )
        HighRiskRegion.objects.get_or_create(
            province="44", city="深圳市", defaults={"reason": "bench", "points": 10}
        )


def timed_run(label: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        summary = rate_merchants(trigger=f"bench:{label}")
        seconds = time.perf_counter() - started
    print(
        f"{label:<34} {summary.rated:>7} rated  {summary.changed:>6} changes  "
        f"{seconds:6.2f} s  {summary.rated / seconds:8.0f} merchants/s  "
        f"{len(queries):>4} queries  peak {peak_mb():.0f} MB"
    )


def factor_times() -> None:
    rating = Rating(merchants=Merchant.objects.approved().order_by(), now=timezone.now())
    for factor in factors():
        started = time.perf_counter()
        scores = factor.compute(rating)
        print(
            f"  factor {factor.code:<11} {time.perf_counter() - started:6.2f} s  "
            f"{len(scores):>7} merchants scored"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--merchants", type=int, default=20000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    have = Merchant.objects.filter(legal_name__startswith=f"{TAG} ").count()
    if args.rebuild or have != args.merchants:
        started = time.perf_counter()
        RiskLevelChange.objects.all().delete()
        MerchantRisk.objects.all().delete()
        Alert.objects.filter(fingerprint__startswith=f"{TAG}:").delete()
        TerminalDay.objects.filter(merchant__legal_name__startswith=f"{TAG} ").delete()
        MerchantDay.objects.filter(merchant__legal_name__startswith=f"{TAG} ").delete()
        Terminal.objects.filter(serial_number__startswith=f"{TAG}-").delete()
        Merchant.objects.filter(legal_name__startswith=f"{TAG} ").delete()
        build(args.merchants)
        print(f"built {args.merchants} merchants in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    RiskLevelChange.objects.all().delete()
    MerchantRisk.objects.all().delete()
    RiskLevelPolicy.objects.filter(level="medium").update(min_score=30)
    print(f"approved merchants in the database: {Merchant.objects.approved().count()}")
    factor_times()
    timed_run("a. first night (all new)")
    timed_run("b. next night, nothing changed")
    RiskLevelPolicy.objects.filter(level="medium").update(min_score=20)
    timed_run("c. medium band moved 30 → 20")
    RiskLevelPolicy.objects.filter(level="medium").update(min_score=30)


if __name__ == "__main__":
    main()
