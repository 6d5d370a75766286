"""Volume spike: a merchant's or terminal's daily sales far above its own trailing average."""

from decimal import Decimal

import pytest

from tests.transactions.audit.helpers import (
    alerts,
    audit,
    only_rule,
    plant,
    plant_many,
    report_ids,
    reporting_terminal,
    set_params,
    shanghai,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule():
    only_rule("volume_spike")


def history(terminal, *, days=7, amount="1000.00"):
    """One sale a day at noon on the ``days`` days before yesterday."""
    return plant_many(terminal, [shanghai(d, 12) for d in range(2, 2 + days)], amount=amount)


def spike_day(terminal, *amounts):
    return [plant(terminal, at=shanghai(1, 9 + i), amount=a) for i, a in enumerate(amounts)]


def by_owner():
    return {("terminal" if a.terminal_id else "merchant"): a for a in alerts("volume_spike")}


def test_a_day_far_above_the_average_raises_merchant_and_terminal_alerts():
    terminal = reporting_terminal()
    history(terminal)
    today = spike_day(terminal, "2000.00", "1500.00")
    audit()
    found = by_owner()
    assert set(found) == {"merchant", "terminal"}
    assert found["merchant"].merchant == terminal.merchant and found["merchant"].terminal is None
    assert found["terminal"].terminal == terminal
    day = shanghai(1, 12).date()
    assert found["merchant"].explanation == (
        f"The merchant's sales on {day} were ¥3,500.00, 3.5× its 7-day average of ¥1,000.00 "
        "(threshold 3×)."
    )
    assert report_ids(found["terminal"]) == {r.pk for r in today}


def test_a_day_just_under_the_factor_is_fine():
    terminal = reporting_terminal()
    history(terminal)
    spike_day(terminal, "2999.99")
    audit()
    assert alerts("volume_spike") == []


def test_a_new_merchant_is_compared_with_the_days_it_has_traded_not_the_whole_period():
    """Seven days at ¥1,000 and then ¥1,000 again is no spike, though 28 days would average ¥250."""
    terminal = reporting_terminal()
    history(terminal)
    spike_day(terminal, "1000.00")
    audit()
    assert alerts("volume_spike") == []


def test_closed_days_count_as_days_without_sales():
    """Sales every other day over 14 days average ¥500 a day: ¥1,600 is 3.2× that."""
    terminal = reporting_terminal()
    plant_many(terminal, [shanghai(d, 12) for d in range(3, 17, 2)], amount="1000.00")
    spike_day(terminal, "1600.00")
    audit()
    assert "3.2× its 14-day average of ¥500.00" in by_owner()["merchant"].explanation


def test_too_short_a_history_is_not_judged():
    terminal = reporting_terminal()
    history(terminal, days=6)
    spike_day(terminal, "9000.00")
    audit()
    assert alerts("volume_spike") == []


def test_a_small_day_is_not_judged_however_far_above_its_average():
    terminal = reporting_terminal()
    history(terminal, amount="50.00")
    spike_day(terminal, "999.99")
    audit()
    assert alerts("volume_spike") == []


def test_one_busy_terminal_of_a_merchant_is_a_terminal_spike_only():
    busy = reporting_terminal()
    other = reporting_terminal(merchant=busy.merchant)
    history(busy)
    history(other)
    spike_day(busy, "3500.00")  # merchant: 3,500 against 2,000 a day
    audit()
    [alert] = alerts("volume_spike")
    assert alert.terminal == busy and alert.merchant == busy.merchant


def test_refunds_are_not_sales_volume():
    terminal = reporting_terminal()
    [*_, last] = history(terminal)
    plant(
        terminal,
        at=shanghai(1, 12),
        amount="900",
        type="refund",
        original_report_id=str(last.report_id),
    )
    spike_day(terminal, "1000.00")
    audit()
    assert alerts("volume_spike") == []


def test_the_factor_edited_on_the_rule_is_honoured():
    set_params("volume_spike", factor=2)
    terminal = reporting_terminal()
    history(terminal)
    spike_day(terminal, "2500.00")
    audit()
    assert "(threshold 2×)" in by_owner()["merchant"].explanation


def test_a_spike_of_many_sales_is_counted_once_per_owner():
    terminal = reporting_terminal()
    history(terminal)
    spike_day(terminal, *["500.00"] * 8)
    run = audit()
    assert run.counts["volume_spike"] == 2 and len(alerts("volume_spike")) == 2


def test_average_is_money_to_the_cent():
    terminal = reporting_terminal()
    history(terminal, amount="333.33")
    spike_day(terminal, "1000.00")
    audit()
    assert "average of ¥333.33" in by_owner()["merchant"].explanation
    assert Decimal("1000.00") / Decimal("333.33") > 3


def test_a_month_at_once_and_day_by_day_give_the_same_figures():
    # A first run touches many days and reads the daily totals once; an incremental run asks the
    # database per day. Both must see the same sales and history for every owner and day.
    from collections import defaultdict

    from transactions.audit.base import Context
    from transactions.audit.rules import REGISTRY, volume_spike

    first, second = reporting_terminal(), reporting_terminal()
    for days_ago in range(1, 12):
        plant(first, at=shanghai(days_ago, 10), amount=f"{100 + days_ago * 37}.10")
        if days_ago % 3:
            plant(second, at=shanghai(days_ago, 15), amount=f"{900 - days_ago * 11}.55")
    plant(first, at=shanghai(4, 11), type="preauth", amount="20.00")  # not a sale
    merchants_by_day = defaultdict(set)
    for terminal in (first, second):
        for days_ago in range(1, 12):
            merchants_by_day[shanghai(days_ago, 12).date()].add(terminal.merchant_id)
    ctx = Context(shanghai(40, 0), shanghai(0, 0), dict(REGISTRY["volume_spike"].defaults))
    for field, owner_ids in (
        ("merchant_id", [first.merchant_id, second.merchant_id]),
        ("terminal_id", [first.pk, second.pk]),
    ):
        owners = {(o, day) for o in owner_ids for day in merchants_by_day}
        at_once = volume_spike._days_against_history(ctx, field, owners, merchants_by_day)
        by_day = [
            row
            for day, merchant_ids in merchants_by_day.items()
            for row in volume_spike._day_against_history(ctx, day, merchant_ids)[field]
            if row["today"] is not None
        ]
        key = lambda r: (r["owner"], r["day"])
        assert len(at_once) == 19
        assert sorted(at_once, key=key) == sorted(by_day, key=key)


def audited_until_the_spike_day():
    """A run up to 08:00 of the spike day: the next run touches that day alone (the path of
    every incremental run), not the month a first run reads."""
    audit(window_end=shanghai(1, 8))


def test_an_incremental_run_judges_the_new_day_against_the_history():
    terminal = reporting_terminal()
    history(terminal)
    audited_until_the_spike_day()
    today = spike_day(terminal, "2000.00", "1500.00")
    audit()
    found = by_owner()
    assert set(found) == {"merchant", "terminal"}
    assert found["merchant"].explanation == (
        f"The merchant's sales on {shanghai(1, 12).date()} were ¥3,500.00, 3.5× its 7-day "
        "average of ¥1,000.00 (threshold 3×)."
    )
    assert report_ids(found["terminal"]) == {r.pk for r in today}


def test_a_merchants_days_with_sales_are_its_terminals_days_together():
    """A sells on days 2, 4 and 6, B on 3, 5, 7 and 8: the merchant traded 7 days (judged, an
    average of ¥1,000), each terminal fewer (not judged)."""
    a = reporting_terminal()
    b = reporting_terminal(merchant=a.merchant)
    plant_many(a, [shanghai(d, 12) for d in (2, 4, 6)], amount="1000.00")
    plant_many(b, [shanghai(d, 12) for d in (3, 5, 7, 8)], amount="1000.00")
    audited_until_the_spike_day()
    spike_day(a, "5000.00")
    audit()
    [alert] = alerts("volume_spike")
    assert alert.terminal is None and alert.merchant == a.merchant
    assert "5.0× its 7-day average of ¥1,000.00" in alert.explanation


@pytest.mark.parametrize("trailing_days", [28, 90])
def test_a_history_longer_than_a_days_bits_hold_gives_the_same_figures(trailing_days):
    """Over 62 days of history the days are not counted in bits but from each owner's totals."""
    set_params("volume_spike", trailing_days=trailing_days)
    terminal = reporting_terminal()
    plant_many(terminal, [shanghai(d, 12) for d in range(3, 17, 2)], amount="1000.00")
    audited_until_the_spike_day()
    spike_day(terminal, "1600.00")
    audit()
    assert "3.2× its 14-day average of ¥500.00" in by_owner()["merchant"].explanation
    assert "3.2× its 14-day average of ¥500.00" in by_owner()["terminal"].explanation
