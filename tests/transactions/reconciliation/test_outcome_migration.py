"""Migration 0014 moves the outcomes matching stored on the lines into their own table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("transactions", "0013_settlement_file_once_per_ledger")]
AFTER = [("transactions", "0014_settlement_line_outcomes")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_outcomes_on_the_lines_move_to_their_own_table_and_back():
    old = migrate(BEFORE)
    acquirer = old.get_model("transactions", "Acquirer").objects.create(name="UMS", code="ums")
    settlement = old.get_model("transactions", "SettlementFile").objects.create(
        acquirer=acquirer, file="settlement-files/a.csv", original_name="a.csv", sha256="a" * 64
    )
    moment = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)
    Line = old.get_model("transactions", "SettlementLine")
    common = {
        "file": settlement, "settlement_date": date(2026, 2, 3), "mid": "898310000000001",
        "tid": "10000001", "amount": Decimal("100.50"), "day": date(2026, 2, 2),
        "day_start": moment, "day_end": moment,
    }  # fmt: skip
    matched = Line.objects.create(
        line_no=2, report_id=41, reported_amount=Decimal("100.50"), outcome="matched", **common
    )
    missing = Line.objects.create(line_no=3, outcome="settled_not_reported", **common)
    Line.objects.create(line_no=4, outcome="", **common)  # imported, never reconciled

    new = migrate(AFTER)
    rows = new.get_model("transactions", "SettlementLineOutcome").objects.order_by("line_id")
    assert list(
        rows.values_list("file_id", "line_id", "report_id", "reported_amount", "outcome")
    ) == [
        (settlement.pk, matched.pk, 41, Decimal("100.50"), "matched"),
        (settlement.pk, missing.pk, None, None, "settled_not_reported"),
    ]

    old = migrate(BEFORE)
    lines = old.get_model("transactions", "SettlementLine").objects.order_by("line_no")
    assert list(lines.values_list("line_no", "report_id", "outcome")) == [
        (2, 41, "matched"),
        (3, None, "settled_not_reported"),
        (4, None, ""),
    ]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
