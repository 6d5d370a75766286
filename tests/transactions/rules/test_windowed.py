"""Backtests of aggregate-only rules read with window functions (PostgreSQL) find what the
correlated subqueries find: the same reports, the same figures, across a chunk's first day."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from portal.common.beijing import SHANGHAI, day_bounds
from tests.factories import TerminalFactory
from tests.transactions.report_factories import make_report
from transactions.models import Report
from transactions.rules.compiler import compile_document
from transactions.rules.grouping import matched_rows
from transactions.rules.windowed import windowable, windowed_rows

pytestmark = pytest.mark.django_db

MIDNIGHT = datetime(2026, 11, 3, 0, 0, tzinfo=SHANGHAI)


def agg(fn, per, op, value, last=None, unit="minutes"):
    window = {"calendar": "day"} if last is None else {"last": last, "unit": unit}
    return {"aggregate": fn, "per": per, "window": window, "op": op, "value": value}


RULES = {
    "card_hour": agg("count", "card", "gte", 3, 60),
    "card_day": agg("count", "card", "gte", 2),
    "no_card": agg("count", "card", "lt", 1),
    "terminal_sum": agg("sum", "terminal", "gte", "3000", 2, "hours"),
    "merchant_not": {"not": agg("count", "merchant", "gte", 2, 30)},
    "any": {"any": [agg("count", "card", "eq", 1, 10), agg("sum", "merchant", "gt", "5000")]},
}


@pytest.fixture
def reports():
    t1 = TerminalFactory(active=True)
    t2 = TerminalFactory(merchant=t1.merchant, active=True)
    plan = [  # terminal, minutes from midnight, amount, card
        (t1, -30, "1000.00", "card-a"),
        (t1, -10, "1500.00", "card-a"),
        (t2, -10, "700.00", "card-b"),
        (t1, 10, "900.00", "card-a"),
        (t1, 10, "100.00", ""),
        (t2, 20, "2500.00", "card-a"),
        (t2, 95, "300.00", ""),
        (t1, 60 * 23, "4000.00", "card-b"),
    ]
    for terminal, minutes, amount, card in plan:
        make_report(
            terminal,
            occurred_at=MIDNIGHT + timedelta(minutes=minutes),
            amount=Decimal(amount),
            card_token=card,
            masked_pan="622848******1234" if card else "",
        )


def _rows(rows):
    return sorted(
        (r["id"], tuple(str(v) for k, v in sorted(r.items()) if k[0] == "x")) for r in rows
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="window functions: PostgreSQL path")
@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize(
    ("low", "high"),
    [
        (day_bounds(MIDNIGHT.date() - timedelta(days=1))[0], day_bounds(MIDNIGHT.date())[1]),
        (MIDNIGHT, day_bounds(MIDNIGHT.date())[1]),  # the look-back reaches the day before
        # A chunk that cuts days (the bench's ranges end at 09:00): a calendar window still
        # counts the whole day, the reports after the chunk's end included.
        (MIDNIGHT - timedelta(minutes=20), MIDNIGHT + timedelta(minutes=15)),
    ],
    ids=["two-days", "second-day", "cut-days"],
)
def test_window_functions_find_what_the_subqueries_find(reports, name, low, high):
    compiled = compile_document({"severity": "high", "action": "alert", "when": RULES[name]})
    assert windowable(compiled)
    chunk = Report.objects.filter(occurred_at__gte=low, occurred_at__lt=high)
    expected = _rows(matched_rows(compiled, chunk))
    assert _rows(windowed_rows(compiled, low=low, high=high)) == expected


@pytest.mark.parametrize(
    "when",
    [
        {"all": [{"field": "type", "op": "eq", "value": "sale"}, agg("count", "card", "gte", 3)]},
        agg("distinct_cards", "merchant", "gte", 3),
        {**agg("count", "card", "gte", 3), "where": {"field": "type", "op": "eq", "value": "sale"}},
    ],
)
def test_rules_with_field_conditions_distinct_counts_or_filters_keep_the_subqueries(when):
    assert not windowable(compile_document({"severity": "high", "action": "alert", "when": when}))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="window functions: PostgreSQL path")
def test_a_backtest_of_an_aggregate_only_rule_gives_the_same_results_either_way(
    reports, monkeypatch
):
    from tests.transactions.rules.helpers import make_rule
    from transactions.models import Backtest
    from transactions.rules import backtest as module

    version = make_rule(
        {"severity": "high", "action": "alert", "group_by": "card_day", "when": RULES["card_hour"]}
    ).versions.get()
    start, end = day_bounds(MIDNIGHT.date() - timedelta(days=1))[0], day_bounds(MIDNIGHT.date())[1]

    def results():
        made = Backtest.objects.create(version=version, start=start, end=end)
        done = module.backtest_run(backtest_id=made.pk)
        done.refresh_from_db()
        return {k: v for k, v in done.results.items() if k != "sample"}, done.results["sample"]

    windowed = results()
    monkeypatch.setattr(module, "windowable", lambda compiled: False)
    assert results() == windowed
    assert windowed[0]["alerts"] == 1 and windowed[0]["reports"] == 2
