"""The rollup backfills of migrations 0006 and 0010 run on their historical models and count what
the rollup service counts."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from merchants.models import ReportingSettings
from portal.common.beijing import SHANGHAI
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report
from transactions.analytics.rollups import rollup_rebuild
from transactions.models import MerchantCard, MerchantDay, MerchantDayMix, TerminalDay

pytestmark = pytest.mark.django_db

TERMINAL_DAYS = importlib.import_module("transactions.migrations.0006_terminal_days")
MERCHANT_DAYS = importlib.import_module("transactions.migrations.0010_dashboard_rollups")


def _snapshot() -> dict[str, list]:
    return {
        "terminal_days": sorted(
            TerminalDay.objects.values_list(
                "terminal_id", "merchant_id", "day", "reports", "sales", "sales_amount", "h00", "h23"
            )
        ),
        "merchant_days": sorted(
            MerchantDay.objects.values_list(
                "merchant_id", "day", "reports", "late", "card_sales", "repeat_sales"
            )
        ),
        "mix": sorted(
            MerchantDayMix.objects.values_list(
                "merchant_id", "day", "method", "type", "reports", "amount"
            )
        ),
        "cards": sorted(
            MerchantCard.objects.values_list(
                "merchant_id", "card_token", "first_day", "first_day_sales"
            )
        ),
    }


def _clear() -> None:
    for model in (TerminalDay, MerchantCard, MerchantDayMix, MerchantDay):
        model.objects.all().delete()


def _run(module, migration: str) -> None:
    """The migration's function, given the apps of its own state (as ``migrate`` would)."""
    state = MigrationExecutor(connection).loader.project_state(("transactions", migration))
    # The function reads only the schema editor's connection: the real one.
    module.count_existing_reports(state.apps, SimpleNamespace(connection=connection))


def _shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _plant_history() -> None:
    strict = reporting_terminal()
    ReportingSettings.objects.filter(merchant=strict.merchant).update(deadline_hours=2)
    lenient = reporting_terminal()
    ReportingSettings.objects.filter(merchant=lenient.merchant).delete()  # the 24 h default
    for terminal in (strict, lenient):
        at = _shanghai(2, 0, 10)  # 16:10 UTC the day before: the Beijing day counts
        _sale(terminal, at, received_at=at + timedelta(hours=3), card_token="a")
        _sale(terminal, _shanghai(2, 23, 50), card_token="b", amount=Decimal("9.99"))
        _sale(terminal, _shanghai(3, 12), card_token="a", method="debit_card")
        _sale(terminal, _shanghai(3, 13), card_token="", method="wechat")
        _sale(terminal, _shanghai(3, 14), card_token="b", type="refund")
        _sale(terminal, _shanghai(4, 9), received_at=_shanghai(5, 10), card_token="a")


def _sale(terminal, at: datetime, **fields) -> None:
    fields.setdefault("received_at", at + timedelta(minutes=1))
    make_report(terminal, occurred_at=at, **fields)


def test_backfills_on_historical_models_match_the_rollup_service():
    _plant_history()
    rollup_rebuild()
    expected = _snapshot()
    _clear()

    _run(TERMINAL_DAYS, "0006_terminal_days")
    _run(MERCHANT_DAYS, "0010_dashboard_rollups")

    assert _snapshot() == expected
    assert len(expected["merchant_days"]) == 6
    late = {(m, d): n for m, d, _r, n, _c, _rep in expected["merchant_days"]}
    assert sorted(late.values()) == [0, 0, 0, 1, 1, 1]  # 3 h late: late at the 2 h merchant only; 25 h: at both


def test_backfills_count_nothing_without_reports():
    _run(TERMINAL_DAYS, "0006_terminal_days")
    _run(MERCHANT_DAYS, "0010_dashboard_rollups")
    assert _snapshot() == {"terminal_days": [], "merchant_days": [], "mix": [], "cards": []}


def test_the_migrations_import_no_service():
    for module in (TERMINAL_DAYS, MERCHANT_DAYS):
        source = importlib.util.find_spec(module.__name__).origin
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
        assert "transactions.analytics" not in text
        assert "from transactions" not in text and "from merchants" not in text
