"""The archive: writing a month of 1,000,000 reports to Parquet, verifying, purging, reading back.

    uv run python bench/archive.py              # 1,000,000 reports in one month, 50 merchants
    uv run python bench/archive.py 200000       # another size

The reports (and a decision for every fifth, as the API leaves them) are written with
generate_series into a database of its own, all in one Beijing month past the hot window, spread
over 50 merchants (one of them with a fifth of the month). Each step runs in a fresh child
process through the services the task and the commands use, so each child's peak RSS is its
step's: export (stream + hash + manifest), verify (read back every row group, SHA-256), purge
(the month leaves the hot table; the archive's search skips rows still hot), read back the whole month (``read_archive``'s path), and the
merchant's report search over its archived month (by RRN, by card last 4, the first page).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# A database of its own: the purge empties the month's reports, and other benchmarks need theirs.
os.environ.setdefault("BENCH_DB", "bench_archive")
os.environ.setdefault("ARCHIVE_ROOT", "/tmp/bench-archive")

import common

TAG = "bench-archive"
MERCHANTS = 50


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _month():
    from transactions.archive.months import last_due_month

    return last_due_month()


def prepare(n: int) -> None:
    """Empty the archive and write ``n`` reports of the month (and their decisions) again."""
    from decimal import Decimal

    from django.db import connection

    from merchants.models import ApplicationStatus, Merchant, Terminal, TerminalStatus
    from portal.common.beijing import month_bounds
    from transactions.models import ArchiveFile, ArchiveMonth, ArchiveMonthTransition

    shutil.rmtree(os.environ["ARCHIVE_ROOT"], ignore_errors=True)
    ArchiveMonthTransition.objects.all().delete()
    ArchiveFile.objects.all().delete()
    ArchiveMonth.history.all().delete()
    ArchiveMonth.objects.all().delete()
    terminals = []
    for i in range(MERCHANTS):
        merchant, _created = Merchant.objects.get_or_create(
            short_name=f"{TAG}-{i}",
            defaults={
                "legal_name": f"Archive bench {i}",
                "mcc": "5411",
                "status": ApplicationStatus.APPROVED,
                "mid": f"89844{i:010d}",
            },
        )
        terminal, _created = Terminal.objects.get_or_create(
            merchant=merchant,
            serial_number=f"ARC-{i}",
            defaults={
                "model_name": "bench",
                "tid": f"A{i:07d}",
                "status": TerminalStatus.ACTIVE,
                "province": "31",
                "city": "上海市",
                "address": "bench",
                "latitude": Decimal("31.2"),
                "longitude": Decimal("121.5"),
            },
        )
        terminals.append(terminal)
    start, end = month_bounds(_month())
    seconds = (end - start).total_seconds()
    print(f"writing {n:,} reports of {_month():%Y-%m} …", flush=True)
    merchant_ids = [t.merchant_id for t in terminals]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM transactions_decision WHERE merchant_id = ANY(%s)", [merchant_ids]
        )
        cursor.execute(
            "DELETE FROM transactions_report WHERE merchant_id = ANY(%s)", [merchant_ids]
        )
        _bench_terminals(cursor, terminals)
        # Merchant 0 has a fifth of the month; the rest share the others evenly.
        cursor.execute(
            """
            INSERT INTO transactions_report (terminal_id, merchant_id, report_id, occurred_at,
              received_at, amount, currency, type, method, masked_pan, card_token, rrn,
              trace_no, batch_no, auth_code, mcc, acquirer_mid, tid, lat, lng, cvm, source,
              content_hash)
            SELECT t.id, t.merchant_id, md5(%s || g::text)::uuid,
              %s::timestamptz + ((g - 1) * %s / %s) * interval '1 second',
              %s::timestamptz + ((g - 1) * %s / %s) * interval '1 second' + interval '40 seconds',
              (1 + (g::bigint * 7919) %% 2000000) / 100.0, 'CNY',
              (ARRAY['sale','sale','sale','sale','sale','sale','refund','void'])[1 + g %% 8],
              (ARRAY['credit_card','debit_card','wechat','alipay','unionpay_qr'])[1 + g %% 5],
              CASE WHEN g %% 5 < 2 THEN '622848******' || lpad((g %% 10000)::text, 4, '0')
                   ELSE '' END,
              CASE WHEN g %% 5 < 2 THEN 'tok' || (g %% 50000)::text ELSE '' END,
              lpad(((g::bigint * 104729) %% 1000000000000)::text, 12, '0'),
              lpad((g %% 1000000)::text, 6, '0'), '000001', 'A1B2C3', '5411', m.mid, t.tid,
              31.230416, 121.473701, 'pin', 'api', md5(g::text)
            FROM generate_series(1, %s) g
            JOIN pg_temp.bench_terminals b
              ON b.n = CASE WHEN g %% 5 = 0 THEN 0 ELSE 1 + g %% %s END
            JOIN merchants_terminal t ON t.id = b.terminal_id
            JOIN merchants_merchant m ON m.id = t.merchant_id
            """,
            [TAG, start, seconds, n, start, seconds, n, n, MERCHANTS - 1],
        )
        cursor.execute(
            """
            INSERT INTO transactions_decision (decision_id, report_id, merchant_id, terminal_id,
              outcome, reasons, checks, state_source, duration_us, created_at)
            SELECT md5('d' || r.id::text)::uuid, r.id, r.merchant_id, r.terminal_id, 'accept',
              '[]', '[{"code": "velocity", "fired": false}]', 'redis', 180, r.received_at
            FROM transactions_report r
            WHERE r.merchant_id = ANY(%s) AND r.id %% 5 = 0
            """,
            [merchant_ids],
        )
        cursor.execute("ANALYZE transactions_report")
        cursor.execute("ANALYZE transactions_decision")


def _bench_terminals(cursor, terminals) -> None:
    """Terminal number → id, for the INSERT to spread the month over the merchants."""
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_terminals (n int, terminal_id bigint)")
    cursor.execute("TRUNCATE bench_terminals")
    cursor.executemany(
        "INSERT INTO bench_terminals VALUES (%s, %s)",
        [(i, t.pk) for i, t in enumerate(terminals)],
    )


def child(step: str) -> None:
    """One step, measured; prints a JSON line."""
    os.environ["DATABASE_URL"] = common.DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(common.ROOT))
    import django

    django.setup()
    from merchants.models import Merchant
    from transactions.archive import files
    from transactions.archive.export import archive_month_export
    from transactions.archive.hot import archive_month_purge_hot
    from transactions.archive.selectors import ArchiveQuery, archive_read, archive_search
    from transactions.archive.verify import archive_month_verify
    from transactions.models import ArchiveMonth

    month = _month()
    before = _rss_mb()
    started = time.perf_counter()
    figures: dict[str, object] = {}
    if step == "export":
        archive_month = archive_month_export(month=month)
        sizes = [files.absolute(f.path).stat().st_size for f in archive_month.files.all()]
        figures |= {
            "rows": archive_month.row_count,
            "files": len(sizes),
            "mb": round(sum(sizes) / 2**20, 1),
        }
    elif step == "verify":
        figures["problems"] = len(
            archive_month_verify(archive_month=ArchiveMonth.objects.get(month=month))
        )
    elif step == "purge":
        archive_month = archive_month_purge_hot(archive_month=ArchiveMonth.objects.get(month=month))
        figures["purged"] = archive_month.purged_rows
    elif step == "read":
        figures["rows"] = sum(1 for _row in archive_read(month=month))
    else:
        merchant = Merchant.objects.get(short_name=f"{TAG}-0")
        timings = {}
        for name, query in (
            ("rrn", ArchiveQuery(rrn="000000523645")),
            ("last4", ArchiveQuery(last4="0005")),
            ("first page", ArchiveQuery()),
        ):
            t0 = time.perf_counter()
            found = archive_search(merchant=merchant, query=query)
            timings[name] = (round(time.perf_counter() - t0, 2), len(found.rows))
        figures["searches"] = timings
    print(
        json.dumps(
            {
                "step": step,
                "seconds": round(time.perf_counter() - started, 1),
                "rss_before_mb": round(before),
                "peak_rss_mb": round(_rss_mb()),
                **figures,
            }
        )
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    common.setup_django()
    t0 = time.perf_counter()
    prepare(n)
    print(f"data written in {time.perf_counter() - t0:.0f} s", flush=True)
    print("\n| step | time (s) | RSS before (MB) | peak RSS (MB) | figures |")
    print("| --- | ---: | ---: | ---: | --- |")
    for step in ("export", "verify", "purge", "read", "search"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", step],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rest = {
            k: v
            for k, v in r.items()
            if k not in ("step", "seconds", "rss_before_mb", "peak_rss_mb")
        }
        print(
            f"| {step} | {r['seconds']} | {r['rss_before_mb']} | {r['peak_rss_mb']} | {rest} |",
            flush=True,
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
