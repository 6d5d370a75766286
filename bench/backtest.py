"""Rule backtests over a month of reports (issue 14), and the example rules against the built-ins.

On PostgreSQL, over the audit benchmark's data set (``audit_data.py``, built once and reused):
  a. a typical rule — a credit-card sale by a card used 3 times or more at the merchant in the
     last 2 hours, one alert per card and day — backtested over the 30 days;
  b. the three example rules (same card, round amounts, unverified high value) backtested too;
  c. each example's findings compared with its built-in's over the same reports (equal or not).
A rule of window aggregates alone is backtested twice: with window functions (the backtest's
path for it on PostgreSQL, ``transactions/rules/windowed.py``) and through the correlated
subqueries, under the same load.
Times are the backtest task's body (``backtest_run``: the chunked queries, grouping, overlap with
reviewed alerts, the results row), in-process.

    DATABASE_URL=postgres://root@127.0.0.1:5432/portal_rules_bench \
        uv run python bench/backtest.py [--reports 1000000] [--merchants 1000] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

if os.environ.get("DATABASE_URL", "").startswith("postgres") and not os.environ.get(
    "BENCH_DATABASE_URL"
):
    os.environ["BENCH_DATABASE_URL"] = os.environ["DATABASE_URL"]
    os.environ.setdefault("BENCH_DB", os.environ["DATABASE_URL"].rsplit("/", 1)[-1])

import common

common.setup_django()

import audit_data  # noqa: E402
from audit_loop import report_count  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from transactions.audit.base import Context  # noqa: E402
from transactions.audit.data_rules import findings_of  # noqa: E402
from transactions.audit.rules import REGISTRY  # noqa: E402
from transactions.models import Backtest, Report, Rule  # noqa: E402
from transactions.rules import backtest as backtest_module  # noqa: E402
from transactions.rules.backtest import backtest_run  # noqa: E402
from transactions.rules.compiler import compile_document  # noqa: E402
from transactions.rules.examples import EXAMPLES, examples_install  # noqa: E402
from transactions.rules.grouping import matched_rows  # noqa: E402
from transactions.rules.services import rule_create  # noqa: E402
from transactions.rules.windowed import windowable  # noqa: E402

TYPICAL = {
    "severity": "high",
    "action": "review",
    "scope": {"type": "all"},
    "group_by": "card_day",
    "when": {
        "all": [
            {"field": "method", "op": "eq", "value": "credit_card"},
            {"field": "type", "op": "eq", "value": "sale"},
            {
                "aggregate": "count",
                "per": "card",
                "window": {"last": 2, "unit": "hours"},
                "op": "gte",
                "value": 3,
            },
        ]
    },
}
BUILT_IN = {
    "example_same_card": "cashout_same_card",
    "example_round_amount": "cashout_round_amount",
    "example_unverified_high": "unverified_high_value",
}


def ensure_dataset(args: argparse.Namespace):
    anchor = audit_data.dataset_anchor()
    if anchor and not args.rebuild:
        print(f"reusing the data set: {report_count():,} reports, anchor {anchor:%Y-%m-%d %H:%M}")
        return anchor
    audit_data.wipe()
    anchor = audit_data.choose_anchor(timezone.now())
    start = time.perf_counter()
    n = audit_data.build(reports=args.reports, merchants=args.merchants, anchor=anchor)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE transactions_report")
    print(f"built {n:,} reports in {time.perf_counter() - start:.1f} s (+ VACUUM ANALYZE)")
    return audit_data.dataset_anchor()


def rules() -> list[Rule]:
    examples_install()
    if not Rule.objects.filter(code="bench_busy_card").exists():
        rule_create(
            code="bench_busy_card",
            name="Credit sales by a busy card",
            description="",
            document=TYPICAL,
            reason="benchmark",
            actor=None,
        )
    return list(Rule.objects.filter(code__in=["bench_busy_card", *EXAMPLES]).order_by("code"))


def backtest(rule: Rule, anchor) -> Backtest:
    version = rule.versions.order_by("-number").first()
    start = anchor - timedelta(days=31)
    made = Backtest.objects.create(version=version, start=start, end=anchor)
    return backtest_run(backtest_id=made.pk)


def compare(code: str, anchor) -> tuple[int, int, bool]:
    """The example's findings and its built-in's over the whole data set: counts and equality."""
    spec = REGISTRY[BUILT_IN[code]]
    ctx = Context(anchor - timedelta(days=40), anchor + timedelta(days=1), dict(spec.defaults))
    built_in = {frozenset(f.report_ids) for f in spec.find(ctx)}
    version = Rule.objects.get(code=code).versions.order_by("-number").first()
    compiled = compile_document(version.document)
    reports = Report.objects.filter(
        received_at__gt=ctx.window_start, received_at__lte=ctx.window_end
    )
    rows = matched_rows(compiled, reports)
    mine = {
        frozenset(f.report_ids) for f in findings_of(version=version, compiled=compiled, rows=rows)
    }
    return len(built_in), len(mine), built_in == mine


def show(label: str, done: Backtest) -> None:
    done.refresh_from_db()
    r = done.results
    print(
        f"{label:<26}{done.duration_ms / 1000:>11.2f}{r.get('alerts', 0):>9,}"
        f"{r.get('reports', 0):>9,}  {done.status} {done.error[:80]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--merchants", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-compare", action="store_true")
    args = parser.parse_args()
    anchor = ensure_dataset(args)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    print(f"\n{'rule':<26}{'backtest s':>11}{'alerts':>9}{'reports':>9}")
    for rule in rules():
        show(rule.code, backtest(rule, anchor))
        version = rule.versions.order_by("-number").first()
        if windowable(compile_document(version.document)):
            # The same backtest through the correlated subqueries, under the same load.
            original = backtest_module.windowable
            backtest_module.windowable = lambda compiled: False
            try:
                show(f"{rule.code} (subqueries)", backtest(rule, anchor))
            finally:
                backtest_module.windowable = original
    if args.skip_compare:
        return
    print(f"\n{'example':<26}{'built-in':>10}{'example':>10}  same findings")
    for code in BUILT_IN:
        started = time.perf_counter()
        theirs, mine, same = compare(code, anchor)
        took = time.perf_counter() - started
        print(f"{code:<26}{theirs:>10,}{mine:>10,}  {same}  ({took:.1f} s)")


if __name__ == "__main__":
    main()
