"""The merchant's report list on a merchant with 1,000,000 reports: each filter, sort and a deep page.

    uv run python bench/report_list.py           # times (median of 5) and the index each one uses

Uses the data of bench/exports.py (same database, written on first use). Times are of the list's
query as the view runs it (filters → keyset page of 50 with the held flag), without HTTP.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_DB", "bench_exports")

import common
import exports


def main() -> None:
    common.setup_django()
    from django.utils import timezone

    from merchants.models import Merchant, Terminal
    from transactions.models import Report
    from transactions.reports.filters import ReportFilters, reports_filtered
    from transactions.reports.pages import SORTS, _after, make_cursor, report_page
    from transactions.reports.selectors import reports_with_hold

    n = 1_000_000
    merchant = Merchant.objects.get(pk=exports.ensure_reports(n)[n])
    terminal = Terminal.objects.filter(merchant=merchant).order_by("pk").first()
    some = Report.objects.filter(merchant=merchant).order_by("pk")[n // 2]
    today = timezone.localdate()
    cases = {
        "newest first": ReportFilters(),
        "oldest first": ReportFilters(sort="time_asc"),
        "largest amount first": ReportFilters(sort="amount_desc"),
        "smallest amount first": ReportFilters(sort="amount_asc"),
        "one terminal": ReportFilters(terminal=terminal),
        "one terminal, by amount": ReportFilters(terminal=terminal, sort="amount_desc"),
        "3 days": ReportFilters(
            date_from=today - timedelta(days=40), date_to=today - timedelta(days=38)
        ),
        "3 days, by amount": ReportFilters(
            date_from=today - timedelta(days=40),
            date_to=today - timedelta(days=38),
            sort="amount_desc",
        ),
        "method + type": ReportFilters(method="unionpay_qr", type="refund"),
        "amount 100–110": ReportFilters(amount_min=Decimal("100"), amount_max=Decimal("110")),
        "held: no": ReportFilters(held="no"),
        "search RRN": ReportFilters(q=some.rrn),
        "search trace number": ReportFilters(q=some.trace_no),
        "search card last 4": ReportFilters(q="1234"),
        "RRN's last 4 digits": ReportFilters(rrn_end=some.rrn[-4:]),
        "RRN's last 6 digits": ReportFilters(rrn_end=some.rrn[-6:]),
    }

    def timed(fn) -> float:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - started) * 1000)
        return statistics.median(runs)

    def index_of(qs) -> str:
        plan = qs[:51].explain()
        used = [
            word.strip()
            for line in plan.splitlines()
            if " using " in line and "transactions_report" in line
            for word in [line.split(" using ")[1].split(" on ")[0]]
        ]
        return ", ".join(used) or "(no index: scan)"

    print(f"merchant with {n:,} reports\n")
    print("| list | first page (ms) | page 2 (ms) | index |")
    print("| --- | ---: | ---: | --- |")
    for name, filters in cases.items():
        qs = reports_with_hold(
            reports_filtered(merchant=merchant, filters=filters).select_related("terminal")
        )
        first = report_page(qs, sort=filters.sort)
        t1 = timed(lambda qs=qs, f=filters: report_page(qs, sort=f.sort))
        t2 = (
            f"{timed(lambda qs=qs, f=filters, c=first.older: report_page(qs, sort=f.sort, cursor=c)):.1f}"
            if first.older
            else "—"
        )
        print(f"| {name} | {t1:.1f} | {t2} | {index_of(qs)} |", flush=True)

    print("\n| deep page (900,000 rows in) | older (ms) | newer (ms) |")
    print("| --- | ---: | ---: |")
    for sort in SORTS:
        filters = ReportFilters(sort=sort)
        base = reports_filtered(merchant=merchant, filters=filters)
        far = base[900_000]
        qs = reports_with_hold(base.select_related("terminal"))
        older = make_cursor(sort=sort, report=far, backwards=False)
        newer = make_cursor(sort=sort, report=far, backwards=True)
        t1 = timed(lambda qs=qs, s=sort, c=older: report_page(qs, sort=s, cursor=c))
        t2 = timed(lambda qs=qs, s=sort, c=newer: report_page(qs, sort=s, cursor=c))
        print(f"| {sort} | {t1:.1f} | {t2:.1f} |", flush=True)
    column, descending = SORTS["time_desc"]
    deep = base = reports_filtered(merchant=merchant, filters=ReportFilters())
    far = base[900_000]
    deep = base.filter(_after(column, descending, far.occurred_at, far.pk))
    print("\nEXPLAIN ANALYZE, newest first, 900,000 rows in:\n")
    print(deep[:51].explain(analyze=True))


if __name__ == "__main__":
    main()
