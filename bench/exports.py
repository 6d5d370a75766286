"""Report exports: time and peak memory of exporting a merchant's 1,000,000 reports as CSV and Excel.

    uv run python bench/exports.py               # 1,000,000 and 100,000 rows, CSV and xlsx
    uv run python bench/exports.py 200000        # another size (plus a tenth of it)
    uv run python bench/exports.py --openpyxl    # also openpyxl's write-only mode (slow)

The reports are written once with generate_series into the benchmark database (two merchants:
N and N/10 reports). Each export runs in a fresh child process through the code the views use
(filters → queryset → rows → ``stream_csv`` / ``stream_xlsx``), its body read to the end and
thrown away, so the child's peak RSS is the export's. Flat memory shows as the same peak for N/10
and N rows.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# A database of its own: other benchmarks empty the reports table of theirs.
os.environ.setdefault("BENCH_DB", "bench_exports")

import common

TAG = "bench-exports"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_reports(n: int) -> dict[int, int]:
    """{rows: merchant id}: one merchant with ``n`` reports and one with ``n // 10``."""
    from decimal import Decimal

    from django.db import connection

    from merchants.models import ApplicationStatus, Merchant, Terminal, TerminalStatus
    from transactions.models import Report

    found: dict[int, int] = {}
    for k, rows in enumerate((n, n // 10)):
        name = f"{TAG}-{rows}"
        merchant = Merchant.objects.filter(short_name=name).first()
        if merchant and Report.objects.filter(merchant=merchant).count() == rows:
            found[rows] = merchant.pk
            continue
        if merchant is None:
            merchant = Merchant.objects.create(
                legal_name=f"Export bench {rows}",
                short_name=name,
                mcc="5411",
                status=ApplicationStatus.APPROVED,
                mid=f"89833{rows % 10**10:010d}",
            )
        terminals = list(Terminal.objects.filter(merchant=merchant))
        if not terminals:
            terminals = Terminal.objects.bulk_create(
                Terminal(
                    merchant=merchant,
                    serial_number=f"EXP-{rows}-{i}",
                    model_name="bench",
                    tid=f"E{k}{i:06d}",
                    status=TerminalStatus.ACTIVE,
                    province="31",
                    city="上海市",
                    address="bench",
                    latitude=Decimal("31.2"),
                    longitude=Decimal("121.5"),
                )
                for i in range(4)
            )
        ids = [t.pk for t in terminals]
        print(f"writing {rows:,} reports for {name} …", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM transactions_report WHERE merchant_id = %s", [merchant.pk])
            # Realistic widths: card and QR methods, masked cards, 12-digit RRNs, Chinese-free
            # text (the labels are translated at export time), a year of times.
            cursor.execute(
                """
                INSERT INTO transactions_report (terminal_id, merchant_id, report_id, occurred_at,
                  received_at, amount, currency, type, method, masked_pan, card_token, rrn,
                  trace_no, batch_no, auth_code, mcc, acquirer_mid, tid, cvm, source, content_hash)
                SELECT (%s::bigint[])[1 + g %% 4], %s, md5(%s || g::text)::uuid,
                  now() - g * interval '31 seconds', now() - g * interval '31 seconds',
                  (1 + (g::bigint * 7919) %% 200000) / 100.0, 'CNY',
                  (ARRAY['sale','sale','sale','sale','sale','sale','refund','void'])[1 + g %% 8],
                  (ARRAY['credit_card','debit_card','wechat','alipay','unionpay_qr'])[1 + g %% 5],
                  CASE WHEN g %% 5 < 2 THEN '622848******' || lpad((g %% 10000)::text, 4, '0')
                       ELSE '' END, '',
                  lpad(((g::bigint * 104729) %% 1000000000000)::text, 12, '0'),
                  lpad((g %% 1000000)::text, 6, '0'), '000001', 'A1B2C3', '5411', %s,
                  'E0000000', 'pin', 'api', md5(g::text)
                FROM generate_series(1, %s) g
                """,
                [ids, merchant.pk, name, merchant.mid, rows],
            )
            cursor.execute("ANALYZE transactions_report")
        found[rows] = merchant.pk
    return found


def child(kind: str, merchant_id: int) -> None:
    """One export, measured; prints a JSON line."""
    os.environ["DATABASE_URL"] = common.DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(common.ROOT))
    import django

    django.setup()
    from merchants.models import Merchant
    from portal.common.exports import stream_csv, stream_xlsx
    from transactions.reports.exports import report_export_header, report_export_rows
    from transactions.reports.filters import ReportFilters, reports_filtered

    merchant = Merchant.objects.get(pk=merchant_id)
    before = _rss_mb()
    started = time.perf_counter()
    reports = reports_filtered(merchant=merchant, filters=ReportFilters())
    rows = report_export_rows(reports, merchant=merchant, time_as_text=kind == "csv")
    header = report_export_header()
    size = 0
    if kind == "csv":
        response = stream_csv("bench.csv", header, rows)
        for chunk in response.streaming_content:
            size += len(chunk)
        built = time.perf_counter()
    elif kind == "openpyxl":
        # The alternative measured beside XlsxWriter: openpyxl's write-only mode into a temporary file.
        import tempfile

        from openpyxl import Workbook

        from portal.common.exports import xlsx_cell

        book = Workbook(write_only=True)
        ws = book.create_sheet()
        ws.append(header)
        for row in rows:
            ws.append([xlsx_cell(v) for v in row])
        with tempfile.TemporaryFile() as out:
            book.save(out)
            size = out.tell()
        built = time.perf_counter()
    else:
        response = stream_xlsx("bench.xlsx", header, rows)
        built = time.perf_counter()  # the workbook is complete before the first byte is sent
        for chunk in response.streaming_content:
            size += len(chunk)
        response.close()
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "kind": kind,
                "seconds": round(done - started, 1),
                "build_seconds": round(built - started, 1),
                "mb": round(size / 2**20, 1),
                "rss_before_mb": round(before),
                "peak_rss_mb": round(_rss_mb()),
            }
        )
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    kinds = ["csv", "xlsx"] + (["openpyxl"] if "--openpyxl" in sys.argv else [])
    common.setup_django()
    merchants = ensure_reports(n)
    print("\n| rows | format | time (s) | file (MB) | RSS before (MB) | peak RSS (MB) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for rows in sorted(merchants):
        for kind in kinds:
            out = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(merchants[rows])],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"| {rows:,} | {kind} | {r['seconds']} | {r['mb']} | {r['rss_before_mb']} "
                f"| {r['peak_rss_mb']} |",
                flush=True,
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
