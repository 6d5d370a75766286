"""The audit rules over a month of reports: a first run, an incremental run, and a Python loop.

On PostgreSQL (the benchmark database of ``common.py``):
  a. the whole rule set over everything: a first ``audit_run_now`` over every report;
  b. an incremental run after 10,000 new reports arrive;
  c. the same rules written as a per-report Python loop (``audit_loop.py``), over a sample of the
     reports and extrapolated to all of them unless ``--loop-sample 0`` asks for every report.
Per-rule times (finding + writing alerts, summed over the run's parts) for a and b, peak RSS.

The data set (``audit_data.py``) is built once with COPY and reused; ``--rebuild`` makes it anew.

    uv run python bench/audit_rules.py [--reports 1000000] [--merchants 1000] [--rebuild]
                                       [--repeat 1] [--loop-sample 200000]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import time
from collections import defaultdict

import common

common.setup_django()

import audit_data  # noqa: E402
from audit_loop import python_loop, report_count  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from transactions.analytics.rollups import rollup_rebuild  # noqa: E402
from transactions.audit import runner  # noqa: E402
from transactions.audit.rules import REGISTRY  # noqa: E402
from transactions.models import Alert, TerminalDay  # noqa: E402

TIMES: dict[str, float] = defaultdict(float)  # finding, by rule
WRITES: dict[str, float] = defaultdict(float)  # turning findings into alerts, by rule


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instrument() -> None:
    """Time each rule's query and its alert writing, summed over the parts of a run."""
    for code, spec in list(REGISTRY.items()):

        def timed_find(ctx, _find=spec.find, _code=code):
            start = time.perf_counter()
            findings = list(_find(ctx))
            TIMES[_code] += time.perf_counter() - start
            return findings

        REGISTRY[code] = dataclasses.replace(spec, find=timed_find)
    write = runner.alerts_from_findings

    def timed_write(*, rule, findings, run):
        start = time.perf_counter()
        result = write(rule=rule, findings=findings, run=run)
        WRITES[rule.code] += time.perf_counter() - start
        return result

    runner.alerts_from_findings = timed_write


def ensure_dataset(args: argparse.Namespace):
    anchor = audit_data.dataset_anchor()
    if anchor and not args.rebuild:
        print(f"reusing the data set: {report_count():,} reports, anchor {anchor:%Y-%m-%d %H:%M}")
        if not TerminalDay.objects.exists():  # a data set from before the daily totals
            rollup_rebuild()
        return anchor
    audit_data.wipe()
    anchor = audit_data.choose_anchor(timezone.now())
    start = time.perf_counter()
    n = audit_data.build(reports=args.reports, merchants=args.merchants, anchor=anchor)
    built = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE transactions_report")
    print(f"built {n:,} reports in {built:.1f} s (+ VACUUM ANALYZE)")
    return audit_data.dataset_anchor()


def timed_run(window_end) -> tuple[float, dict[str, tuple[float, float]], object]:
    TIMES.clear()
    WRITES.clear()
    start = time.perf_counter()
    run = runner.audit_run_now(trigger="bench", window_end=window_end)
    elapsed = time.perf_counter() - start
    return elapsed, {code: (TIMES[code], WRITES[code]) for code in REGISTRY}, run


def one_round(anchor) -> dict:
    audit_data.reset_audits()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE transactions_report")
    full_s, full_rules, full_run = timed_run(anchor)
    added = audit_data.build_increment(anchor=anchor, count=10_000)
    with connection.cursor() as cursor:  # as autovacuum would after a batch this size
        cursor.execute("ANALYZE transactions_report")
    incr_s, incr_rules, incr_run = timed_run(anchor + audit_data.INCREMENT_SPAN)
    return {
        "full": (full_s, full_rules, full_run),
        "incr": (incr_s, incr_rules, incr_run),
        "added": added,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--merchants", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of (a) and (b)")
    parser.add_argument(
        "--loop-sample", type=int, default=200_000, help="reports for (c); 0: all of them"
    )
    parser.add_argument("--skip-loop", action="store_true")
    args = parser.parse_args()
    anchor = ensure_dataset(args)
    instrument()
    rss_start = peak_mb()
    rounds = [one_round(anchor) for _ in range(args.repeat)]
    rss_runs = peak_mb()
    last = rounds[-1]
    total = report_count()
    print(
        f"\nreports: {total:,} ({last['added']:,} in the increment), alerts: {Alert.objects.count():,}"
    )
    print("per rule: find + write alerts (findings)")
    print(f"{'rule':<24}{'(a) first run':>26}{'(b) increment':>28}")
    for code in REGISTRY:
        (af, aw), (bf, bw) = last["full"][1][code], last["incr"][1][code]
        a_n, b_n = last["full"][2].counts.get(code, 0), last["incr"][2].counts.get(code, 0)
        print(
            f"{code:<24}{af:>8.2f} + {aw:>5.2f} s ({a_n:>5})"
            f"{bf * 1000:>9.0f} + {bw * 1000:>4.0f} ms ({b_n:>4})"
        )
    fulls = [r["full"][0] for r in rounds]
    incrs = [r["incr"][0] for r in rounds]
    print(
        f"\n(a) whole rule set, first run: best {min(fulls):.2f} s, median {statistics.median(fulls):.2f} s"
        f" ({len(fulls)} run(s), {last['full'][2].parts_total} parts, {last['full'][2].alerts_created:,} alerts)"
    )
    print(
        f"(b) incremental, 10,000 new:   best {min(incrs):.3f} s, median {statistics.median(incrs):.3f} s"
        f" ({last['incr'][2].alerts_created} new alerts, {last['incr'][2].alerts_updated} updated)"
    )
    print(f"peak RSS: {rss_start:.0f} MB before the runs, {rss_runs:.0f} MB after them")
    if args.skip_loop:
        return
    base = last["full"][2]
    limit = args.loop_sample or None
    start = time.perf_counter()
    seen, found = python_loop(
        window_start=base.window_start, window_end=base.window_end, limit=limit
    )
    loop_s = time.perf_counter() - start
    everything = report_count(received_at__gt=base.window_start, received_at__lte=base.window_end)
    estimate = loop_s * everything / seen
    how = "measured" if seen == everything else f"measured on {seen:,}, extrapolated"
    print(
        f"(c) per-report Python loop:    {estimate:.1f} s for {everything:,} reports ({how}: "
        f"{loop_s:.1f} s, {seen / loop_s:,.0f} reports/s); {estimate / min(fulls):.0f}x (a)"
    )
    print(f"    loop findings: {dict(found)}")
    print(f"peak RSS after the loop: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
