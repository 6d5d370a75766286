"""Dashboard and report-list latency with 10,000,000 reports, 1,000,000 of them one merchant's.

    uv run --frozen python bench/dashboard.py            # build once (minutes), then measure
    uv run --frozen python bench/dashboard.py --build    # only build (or finish building)
    uv run --frozen python bench/dashboard.py --rebuild  # drop the data set and build it again
    uv run --frozen python bench/dashboard.py -n 100     # more requests per page

The data set lives in its own PostgreSQL database (``BENCH_DB``, default ``bench_dash``) and is
built once: merchants and terminals through the ORM, the reports with ``INSERT ... SELECT`` over
``generate_series`` (secondary indexes dropped during the load and built after it), the rollups
by the migration's own backfill (``rollup_rebuild``). Re-running only measures.

Pages are requested through Django's test ``Client`` (the whole middleware stack, no network,
production settings), signed in as the big merchant's owner (the staff overview: as a superuser):
p50 and p95 over ``-n`` requests each, after two warm-up requests. Pages that do not exist (yet)
or answer other than 200 are reported as such and skipped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("BENCH_DB", "bench_dash")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import setup_django

TAG = "dash-bench"
TOTAL = int(os.environ.get("DASH_BENCH_TOTAL", 10_000_000))
BIG = int(os.environ.get("DASH_BENCH_BIG", 1_000_000))
OTHER_MERCHANTS = 2_000
BIG_TERMINALS = 20
BIG_CARDS = 150_000  # distinct card tokens of the big merchant
BIG_DAYS = 365
OTHER_DAYS = 180
CHUNK = 1_000_000


def build(*, rebuild: bool) -> None:
    from django.db import connection

    from merchants.models import Merchant

    if rebuild:
        wipe()
    elif Merchant.objects.filter(short_name=f"{TAG}-big").exists():
        print("data set already built")
        return
    started = time.perf_counter()
    big, others = _merchants()
    print(f"merchants and terminals: {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
        dropped = common.report_indexes_drop(cursor)
        step = time.perf_counter()
        _load(cursor, "big", BIG, BIG_DAYS, BIG_CARDS)
        _load(cursor, "other", TOTAL - BIG, OTHER_DAYS, 2_000_000)
        print(f"{TOTAL:,} reports loaded: {time.perf_counter() - step:.0f} s")
        step = time.perf_counter()
        for statement in dropped:
            cursor.execute(statement)
        print(f"indexes rebuilt: {time.perf_counter() - step:.0f} s")
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("DROP TABLE IF EXISTS dash_bench_terminals")
    step = time.perf_counter()
    from transactions.analytics.rollups import rollup_rebuild

    rollup_rebuild()
    print(f"rollups rebuilt: {time.perf_counter() - step:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s (merchants {big.pk}, +{len(others)})")


def wipe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE transactions_report, transactions_terminalday, transactions_merchantday, "
            "transactions_merchantdaymix, transactions_merchantcard RESTART IDENTITY CASCADE"
        )
        for table in ("merchants_terminal", "merchants_reportingsettings", "merchants_membership"):
            cursor.execute(
                f"DELETE FROM {table} WHERE merchant_id IN "
                "(SELECT id FROM merchants_merchant WHERE short_name LIKE %s)",
                [TAG + "%"],
            )
        cursor.execute("DELETE FROM merchants_merchant WHERE short_name LIKE %s", [TAG + "%"])


def _merchants():
    """The big merchant (20 terminals, an owner to sign in as) and 2,000 others (1-5 terminals)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from merchants.models import (
        ApplicationStatus,
        Membership,
        Merchant,
        ReportingSettings,
        Role,
        Terminal,
        TerminalStatus,
    )

    merchants = Merchant.objects.bulk_create(
        Merchant(
            legal_name=f"Dashboard bench merchant {i}",
            short_name=f"{TAG}-big" if i == 0 else f"{TAG}-{i}",
            mcc="5411",
            status=ApplicationStatus.APPROVED,
            mid=f"89832{i:010d}",
            registered_province=["31", "11", "44", "33", "32", "51"][i % 6],
            business_province=["31", "11", "44", "33", "32", "51"][i % 6],
        )
        for i in range(OTHER_MERCHANTS + 1)
    )
    ReportingSettings.objects.bulk_create(
        ReportingSettings(merchant=m, enabled=True, deadline_hours=24) for m in merchants
    )
    terminals = []
    for i, merchant in enumerate(merchants):
        for k in range(BIG_TERMINALS if i == 0 else 1 + i % 5):
            n = len(terminals)
            terminals.append(
                Terminal(
                    merchant=merchant,
                    serial_number=f"DB-{n:07d}",
                    model_name="bench",
                    tid=f"D{n:07d}",
                    status=TerminalStatus.ACTIVE,
                    province="31",
                    city="bench",
                    address=f"bench {k}",
                    latitude=Decimal("31.2"),
                    longitude=Decimal("121.5"),
                )
            )
    Terminal.objects.bulk_create(terminals, batch_size=2_000)
    user, _created = get_user_model().objects.get_or_create(username=f"{TAG}-owner")
    Membership.objects.create(user=user, merchant=merchants[0], role=Role.OWNER)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS dash_bench_terminals")
        cursor.execute(
            "CREATE TABLE dash_bench_terminals AS SELECT "
            "(row_number() OVER (PARTITION BY m.short_name = %s ORDER BY t.id)) - 1 AS idx, "
            "m.short_name = %s AS big, t.id AS terminal_id, t.merchant_id, t.tid, m.mid "
            "FROM merchants_terminal t JOIN merchants_merchant m ON m.id = t.merchant_id "
            "WHERE m.short_name LIKE %s",
            [f"{TAG}-big", f"{TAG}-big", TAG + "%"],
        )
        cursor.execute("CREATE UNIQUE INDEX ON dash_bench_terminals (big, idx)")
    return merchants[0], merchants[1:]


# Generated reports, written by the database: ``INSERT_GENERATED`` followed by a subquery ``s``
# with ``g`` (the row's number), ``method`` (``METHOD``) and ``at``, joined to
# ``dash_bench_terminals t``. Named parameters: ``cards`` (distinct card tokens).
INSERT_GENERATED = """
    INSERT INTO transactions_report (
        terminal_id, merchant_id, report_id, occurred_at, received_at, amount, currency,
        type, method, masked_pan, card_token, rrn, trace_no, batch_no, auth_code, mcc,
        acquirer_mid, tid, lat, lng, cvm, original_report_id, source, content_hash
    )
    SELECT t.terminal_id, t.merchant_id, gen_random_uuid(), s.at,
        s.at + CASE WHEN s.g %% 40 = 0 THEN interval '30 hours'
                    ELSE (s.g %% 600) * interval '1 second' END,
        round((1 + random() * 800)::numeric, 2), 'CNY',
        CASE s.g %% 50 WHEN 0 THEN 'refund' WHEN 1 THEN 'void' WHEN 2 THEN 'preauth'
             ELSE 'sale' END,
        s.method,
        CASE WHEN s.method LIKE '%%card'
             THEN '622848******' || lpad((s.g %% 10000)::text, 4, '0') ELSE '' END,
        CASE WHEN s.method LIKE '%%card'
             THEN 'tok' || (abs(hashint8(s.g)) %% %(cards)s)::text ELSE '' END,
        lpad((s.g %% 1000000000000)::text, 12, '0'), lpad((s.g %% 1000000)::text, 6, '0'),
        '000001', '', '5411', t.mid, t.tid, 31.230400, 121.473700,
        CASE WHEN s.method LIKE '%%card' THEN 'pin' ELSE 'none' END,
        NULL, 'api', md5(s.g::text)
    FROM
"""
METHOD = """(ARRAY['credit_card', 'debit_card', 'wechat', 'alipay', 'alipay', 'wechat',
                   'credit_card', 'unionpay_qr', 'wechat', 'debit_card'])[1 + g %% 10]"""


def _load(cursor, kind: str, total: int, days: int, cards: int) -> None:
    """``total`` reports over the last ``days`` days, in business hours mostly, one statement a chunk."""
    big = kind == "big"
    cursor.execute("SELECT count(*) FROM dash_bench_terminals WHERE big = %s", [big])
    (terminals,) = cursor.fetchone()
    for start in range(0, total, CHUNK):
        stop = min(start + CHUNK, total)
        step = time.perf_counter()
        cursor.execute(
            INSERT_GENERATED
            + f"""
            (
                SELECT g, {METHOD} AS method,
                    (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
                        - (abs(hashint8(g * 31)) %% %(days)s) * interval '1 day')
                        AT TIME ZONE 'Asia/Shanghai'
                        + interval '7 hours' + (abs(hashint8(g * 7)) %% 50400) * interval '1 second'
                        AS at
                FROM generate_series(%(start)s, %(stop)s - 1) AS g
            ) s
            JOIN dash_bench_terminals t ON t.big = %(big)s AND t.idx = s.g %% %(terminals)s
            """,
            {
                "cards": cards,
                "days": days,
                "start": start,
                "stop": stop,
                "big": big,
                "terminals": terminals,
            },
        )
        print(f"  {kind}: {stop:,} of {total:,} ({time.perf_counter() - step:.0f} s)", flush=True)


def measure(requests: int) -> list[tuple[str, float, float, int]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{TAG}-owner"))
    today = timezone.localdate()
    pages: list[tuple[str, str, dict[str, str]]] = []
    try:
        dashboard = reverse("transactions:dashboard")
        pages += [
            ("dashboard, this month", dashboard, {"period": "month"}),
            ("dashboard, today", dashboard, {"period": "today"}),
            (
                "dashboard, 90 days",
                dashboard,
                {
                    "date_from": str(today - timedelta(days=89)),
                    "date_to": str(today),
                },
            ),
            (
                "dashboard, 366 days",
                dashboard,
                {"date_from": str(today - timedelta(days=365)), "date_to": str(today)},
            ),
        ]
    except NoReverseMatch:
        print("no dashboard page yet")
    reports = reverse("transactions:reports")
    pages += [
        ("reports, first page", reports, {}),
        (
            "reports, filtered (credit card, refund)",
            reports,
            {"method": "credit_card", "type": "refund"},
        ),
    ]
    deep = _deep_page(client, reports)
    if deep is not None:
        pages.append(("reports, deep page (cursor)", reports, deep))
    staff = _staff_client()
    overview = reverse("admin:transactions_complianceoverview_changelist")
    pages += [
        ("staff overview, 30 days (all merchants)", overview, {"days": "30"}),
        ("staff overview, 90 days (all merchants)", overview, {"days": "90"}),
    ]
    results = []
    for label, url, params in pages:
        page_client = staff if url == overview else client
        for _ in range(2):
            response = page_client.get(url, params)
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code}, skipped")
            continue
        timings = []
        for _ in range(requests):
            began = time.perf_counter()
            response = page_client.get(url, params)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        results.append((label, statistics.median(timings), p95, len(response.content)))
        print(f"{label:45} p50 {results[-1][1]:7.1f} ms   p95 {p95:7.1f} ms", flush=True)
    return results


def _staff_client():
    """A superuser whose session passed the second factor (as tests/conftest.py does)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    user, _created = get_user_model().objects.get_or_create(
        username=f"{TAG}-staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    device, _created = StaticDevice.objects.get_or_create(user=user, name="bench")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _deep_page(client, url: str) -> dict[str, str] | None:
    """Follow the list's "next" cursor 50 pages deep, if the list has one (parameter "cursor")."""
    import re
    from urllib.parse import unquote

    params: dict[str, str] = {}
    for _ in range(50):
        html = client.get(url, params).content.decode()
        found = re.search(r'rel="next" href="[^"]*[?;]cursor=([^"&]+)"', html)
        if found is None:
            return params or None
        params = {"cursor": unquote(found.group(1))}
    return params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="build only, do not measure")
    parser.add_argument("--rebuild", action="store_true", help="drop the data set and rebuild")
    parser.add_argument("-n", type=int, default=50, help="requests per page")
    args = parser.parse_args()
    # Production settings as gunicorn would run them (common.Gunicorn), for the test client's host.
    os.environ.update(
        {
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "ERROR",
        }
    )
    setup_django()
    build(rebuild=args.rebuild)
    if not args.build:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM transactions_report")
            print(f"reports in the database: {cursor.fetchone()[0]:,}")
        measure(args.n)


if __name__ == "__main__":
    main()
