"""What the conditions mean, pinned on chosen reports (the agreement tests prove SQL = Python)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import TerminalFactory
from tests.transactions.report_factories import make_report
from tests.transactions.rules.dataset import BASE
from transactions.models import Report
from transactions.rules.compiler import compile_document
from transactions.rules.fields import report_rows

pytestmark = pytest.mark.django_db


def count_rule(minutes: int, at_least: int) -> dict:
    node = {"aggregate": "count", "per": "card", "window": {"last": minutes, "unit": "minutes"}}
    return {"severity": "high", "action": "alert", "when": node | {"op": "gte", "value": at_least}}


def both(document) -> tuple[set[int], set[int]]:
    compiled = compile_document(document)
    sql = set(compiled.queryset(Report.objects.all()).values_list("id", flat=True))
    ids = list(Report.objects.values_list("id", flat=True))
    return sql, {row["id"] for row in report_rows(ids) if compiled.matches(row)}


def test_a_window_includes_its_start_and_the_report_itself():
    terminal = TerminalFactory(active=True)
    first = make_report(terminal, occurred_at=BASE, card_token="c1")
    second = make_report(terminal, occurred_at=BASE + timedelta(minutes=10), card_token="c1")
    later = make_report(
        terminal, occurred_at=BASE + timedelta(minutes=20, microseconds=1), card_token="c1"
    )
    sql, python = both(count_rule(10, 2))
    assert sql == python == {second.pk}
    assert first.pk not in sql and later.pk not in sql


def test_reports_without_a_card_token_have_no_card_to_count():
    terminal = TerminalFactory(active=True)
    for minute in range(3):
        make_report(terminal, occurred_at=BASE + timedelta(minutes=minute), card_token="")
    assert both(count_rule(10, 1)) == (set(), set())


def test_the_query_returns_each_conditions_value_for_the_explanation():
    terminal = TerminalFactory(active=True)
    make_report(terminal, occurred_at=BASE, card_token="c1", amount=Decimal("6000.00"))
    hit = make_report(
        terminal, occurred_at=BASE + timedelta(minutes=1), card_token="c1", amount=Decimal("7000")
    )
    document = {
        "severity": "high",
        "action": "alert",
        "when": {
            "all": [
                {"field": "amount", "op": "gte", "value": "5000"},
                count_rule(5, 2)["when"],
            ]
        },
    }
    compiled = compile_document(document)
    row = compiled.queryset(Report.objects.all()).values("id", "x0", "x1").get()
    assert row["id"] == hit.pk
    explained = compiled.explain_values({0: row["x0"], 1: row["x1"]})
    assert [(e["value"], e["met"]) for e in explained] == [("7000.00", True), ("2", True)]
    assert explained == compiled.explain_row(report_rows([hit.pk])[0])
