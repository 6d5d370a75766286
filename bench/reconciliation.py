"""Reconciliation: a 1,000,000-line settlement file against a month of ~1,000,000 reports.

On PostgreSQL (the benchmark database of ``common.py``), reusing the audit data set
(``audit_data.py``, built if missing). From those reports a settlement CSV is written with planted
differences (amount mismatches, near misses within the tolerance, lines whose RRN and trace were
lost so only the tolerant pass can pair them, lines without RRN, repeated lines, reports left out,
lines nobody reported), padded to exactly 1,000,000 lines. Then, timed apart:
  a. the import (stream, parse, COPY) — ``settlement_file_import``;
  b. the matching, differences, totals and alerts — ``reconciliation_run``;
with peak RSS after each step (flat: it must not grow with the file), and the counts per outcome
beside the planted ones. ``--pandas`` also times a plain pandas merge of the same data in a child
process (pandas is not a project dependency):

    uv run --with pandas python bench/reconciliation.py --pandas
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import logging
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import common

sys.path.insert(0, str(common.ROOT))
from transactions.reconciliation.mapping import EXAMPLE_MAPPING

TOLERANCE = Decimal("0.05")
WINDOW_S = 120
LINES = 1_000_000
# The documented example mapping (headers in Chinese), shared with the demo and the tests.
MAPPING = EXAMPLE_MAPPING
HEADER = list(MAPPING.values())


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_dataset() -> None:
    import audit_data
    from django.utils import timezone

    if audit_data.dataset_anchor() is None:
        audit_data.wipe()
        anchor = audit_data.choose_anchor(timezone.now())
        audit_data.build(reports=1_000_000, merchants=1000, anchor=anchor)


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM transactions_alertreport WHERE alert_id IN (SELECT a.id FROM "
            "transactions_alert a JOIN transactions_auditrule r ON r.id = a.rule_id "
            "WHERE r.code LIKE 'recon_%%')"
        )
        cursor.execute(
            "DELETE FROM transactions_alert WHERE rule_id IN "
            "(SELECT id FROM transactions_auditrule WHERE code LIKE 'recon_%%')"
        )
        cursor.execute(
            "TRUNCATE transactions_reconciliationitem, transactions_reconciliationtotal, "
            "transactions_settlementlineoutcome, "
            "transactions_reconciliationrun, transactions_settlementlineerror, "
            "transactions_settlementline, transactions_settlementfile CASCADE"
        )
        cursor.execute("VACUUM ANALYZE transactions_report")


def write_file(path: Path, seed: int = 5) -> dict[str, int]:
    """The settlement CSV; returns the outcome counts the plan expects."""
    from django.db import connection, transaction

    from portal.common.beijing import SHANGHAI

    rnd = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT terminal_id, rrn FROM transactions_report GROUP BY 1, 2 HAVING COUNT(*) > 1"
        )
        ambiguous = set(cursor.fetchall())
    planted = dict.fromkeys(
        ["matched", "amount_mismatch", "reported_not_settled", "settled_not_reported",
         "duplicate_in_file"], 0,
    )  # fmt: skip
    written = 0
    query = (
        "SELECT terminal_id, acquirer_mid, tid, rrn, trace_no, batch_no, amount, masked_pan, "
        "occurred_at, type FROM transactions_report "
        "WHERE type IN ('sale', 'refund') ORDER BY occurred_at"
    )
    with (
        transaction.atomic(),
        path.open("w", newline="", encoding="utf-8") as out,
        connection.connection.cursor(name="settle") as cursor,
    ):
        writer = csv.writer(out)
        writer.writerow(HEADER)
        cursor.itersize = 20_000
        cursor.execute(query)
        last = None
        for n, (terminal_id, mid, tid, rrn, trace, batch, amount, pan, at, kind) in enumerate(
            cursor
        ):
            if (terminal_id, rrn) in ambiguous or n % 1009 == 0:
                planted["reported_not_settled"] += 1
                continue
            local = at.astimezone(SHANGHAI)
            outcome = "matched"
            if n % 1000 == 1:
                amount += Decimal("1.00")
                outcome = "amount_mismatch"
            elif n % 997 == 2:
                amount += Decimal("0.03")  # near miss: within the tolerance
            elif n % 1019 == 3:
                rrn, trace = f"9{rrn[1:]}", "999999"  # keys lost: the tolerant pass pairs it
                local += timedelta(seconds=30)
            elif n % 1021 == 4:
                rrn = ""  # matched by TID + trace + batch + day
            row = [
                (local + timedelta(days=1)).date().isoformat(),
                mid, tid, rrn, trace, batch, f"{amount:.2f}",
                f"{amount * Decimal('0.0038'):.2f}", pan, local.strftime("%Y-%m-%d %H:%M:%S"),
                "消费" if kind == "sale" else "退货",
            ]  # fmt: skip
            writer.writerow(row)
            written += 1
            planted[outcome] += 1
            if n % 1013 == 5:
                writer.writerow(row)
                written += 1
                planted["duplicate_in_file"] += 1
            last = row
        assert last is not None
        while written < LINES:  # settled, never reported: at 03:00, outside any report's window
            ghost = list(last)
            ghost[3] = f"8{rnd.randrange(10**11):011d}"
            ghost[4] = f"{rnd.randrange(10**6):06d}"
            ghost[9] = ghost[9][:11] + "03:00:00"
            writer.writerow(ghost)
            written += 1
            planted["settled_not_reported"] += 1
    return planted


def register(path: Path):
    """The file row, as the upload service would store it (without queueing a Celery task)."""
    from django.core.files import File

    from transactions.models import Acquirer, SettlementFile

    acquirer, _ = Acquirer.objects.update_or_create(
        code="bench-ums",
        defaults={
            "name": "Bench UMS",
            "column_mapping": MAPPING,
            "type_values": {"消费": "sale", "退货": "refund"},
            "amount_tolerance": TOLERANCE,
            "time_window_seconds": WINDOW_S,
        },
    )
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    settlement = SettlementFile(
        acquirer=acquirer, original_name=path.name, sha256=digest.hexdigest()
    )
    with path.open("rb") as f:
        settlement.file.save(path.name, File(f), save=False)
    settlement.save()
    return settlement


def pandas_merge(path: str) -> None:
    """Child process: read the file and the reports, outer-merge on (TID, RRN), count."""
    import io

    import pandas as pd
    import psycopg

    started = time.perf_counter()
    settle = pd.read_csv(path, dtype=str, keep_default_na=False)
    settle.columns = list(MAPPING)
    settle["amount"] = settle["amount"].astype(float)
    read_file = time.perf_counter() - started
    buf = io.BytesIO()
    statement = (
        "COPY (SELECT id, tid, rrn, amount FROM transactions_report "
        "WHERE type IN ('sale', 'refund')) TO STDOUT WITH CSV HEADER"
    )
    url = common.DATABASE_URL.replace("postgres://", "postgresql://")
    with psycopg.connect(url) as conn, conn.cursor().copy(statement) as copy:
        for block in copy:
            buf.write(block)
    buf.seek(0)
    reports = pd.read_csv(buf, dtype={"tid": str, "rrn": str})
    read_reports = time.perf_counter() - started - read_file
    settle["dup"] = settle.duplicated(["tid", "rrn", "trace_no", "batch_no", "occurred_at"])
    merged = settle[~settle["dup"]].merge(
        reports, on=["tid", "rrn"], how="outer", indicator=True, suffixes=("", "_rep")
    )
    both = merged["_merge"] == "both"
    mismatch = both & ((merged["amount"] - merged["amount_rep"]).abs() > float(TOLERANCE) + 1e-9)
    counts = {
        "matched (TID+RRN only)": int((both & ~mismatch).sum()),
        "amount_mismatch": int(mismatch.sum()),
        "settled_not_reported": int((merged["_merge"] == "left_only").sum()),
        "reported_not_settled": int((merged["_merge"] == "right_only").sum()),
        "duplicate_in_file": int(settle["dup"].sum()),
    }
    total = time.perf_counter() - started
    print(
        f"pandas: read file {read_file:.1f} s, read reports {read_reports:.1f} s, "
        f"merge+count {total - read_file - read_reports:.1f} s, total {total:.1f} s, "
        f"peak RSS {peak_mb():.0f} MB"
    )
    print(f"pandas counts: {counts}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pandas", action="store_true", help="also time a pandas merge")
    parser.add_argument("--pandas-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pandas_child:
        pandas_merge(args.pandas_child)
        return
    common.setup_django()
    sys.path.insert(0, str(Path(__file__).parent))
    from django.db import connection

    from transactions.models import Report
    from transactions.reconciliation.importer import settlement_file_import
    from transactions.reconciliation.services import reconciliation_run

    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    for name in ("transactions.reconciliation", "transactions.reconciliation.services"):
        logging.getLogger(name).setLevel(logging.INFO)
    ensure_dataset()
    reset()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "settlement-bench.csv"
        started = time.perf_counter()
        planted = write_file(path)
        print(
            f"reports: {Report.objects.count():,}; file: {LINES:,} lines, "
            f"{path.stat().st_size / 2**20:.0f} MB, written in {time.perf_counter() - started:.1f} s"
        )
        settlement = register(path)
        connection.close()  # the generator's cursor memory is not the import's
        rss_before = peak_mb()
        started = time.perf_counter()
        settlement = settlement_file_import(file_id=settlement.pk)
        import_s = time.perf_counter() - started
        rss_import = peak_mb()
        started = time.perf_counter()
        run = reconciliation_run(file_id=settlement.pk, trigger="bench")
        match_s = time.perf_counter() - started
        rss_match = peak_mb()
        print(
            f"import: {import_s:.1f} s ({settlement.line_count:,} lines, {settlement.error_count} errors)"
        )
        print(
            f"match + differences + totals + alerts: {match_s:.1f} s (run.duration_ms={run.duration_ms})"
        )
        print(f"import + match: {import_s + match_s:.1f} s")
        # The machine is shared: the load says how far these figures are from a quiet one.
        print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(
            f"peak RSS: {rss_before:.0f} MB before import, {rss_import:.0f} MB after, {rss_match:.0f} MB after matching"
        )
        got = {k: getattr(run, k) for k in planted}
        print(f"counts:  {got}  alerts created: {run.alerts_created}")
        print(f"planted: {planted}")
        if args.pandas:
            subprocess.run(
                [sys.executable, __file__, "--pandas-child", str(path)], check=True, env=os.environ
            )
        settlement.file.delete(save=False)


if __name__ == "__main__":
    main()
