"""Cash-out (套现): one card used many times at one merchant within a (Shanghai) day."""

from datetime import timedelta

import pytest

from tests.transactions.audit.helpers import (
    alert_of,
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
    only_rule("cashout_same_card")


def uses(terminal, n, *, day=1, card="tok_same", **fields):
    times = [shanghai(day, 10 + i) for i in range(n)]
    return plant_many(terminal, times, card_token=card, **fields)


def test_same_card_five_times_in_a_day_raises_an_alert():
    terminal = reporting_terminal()
    planted = uses(terminal, 5)
    audit()
    alert = alert_of("cashout_same_card")
    assert alert.merchant == terminal.merchant and alert.terminal is None
    assert report_ids(alert) == {r.pk for r in planted}
    day = shanghai(1, 12).date()
    assert alert.explanation == f"The same card (tok_same) was used 5 times on {day} (threshold 5)."


def test_same_card_four_times_is_fine():
    uses(reporting_terminal(), 4)
    audit()
    assert alerts("cashout_same_card") == []


def test_five_different_cards_are_fine():
    terminal = reporting_terminal()
    for i in range(5):
        plant(terminal, at=shanghai(1, 10 + i), card_token=f"tok_{i}")
    audit()
    assert alerts("cashout_same_card") == []


def test_uses_at_two_terminals_of_one_merchant_add_up():
    first = reporting_terminal()
    second = reporting_terminal(merchant=first.merchant)
    uses(first, 3)
    plant_many(second, [shanghai(1, 16), shanghai(1, 17)], card_token="tok_same")
    audit()
    assert alert_of("cashout_same_card").report_count == 5


def test_uses_at_two_merchants_do_not_add_up():
    uses(reporting_terminal(), 3)
    plant_many(reporting_terminal(), [shanghai(1, 16), shanghai(1, 17)], card_token="tok_same")
    audit()
    assert alerts("cashout_same_card") == []


def test_the_day_is_the_shanghai_day_not_the_utc_day():
    """23:00–23:40 and 00:10–00:20 Shanghai are one UTC day (15:00–16:20) but two local days."""
    terminal = reporting_terminal()
    evening = [shanghai(2, 23, m) for m in (0, 20, 40)]
    night = [shanghai(1, 0, m) for m in (10, 20)]
    plant_many(terminal, evening + night, card_token="tok_same")
    audit()
    assert alerts("cashout_same_card") == []


def test_earlier_uses_of_the_day_count_in_a_later_run():
    terminal = reporting_terminal()
    earlier = uses(terminal, 4)
    audit(window_end=shanghai(1, 15))
    last = plant(terminal, at=shanghai(1, 16), card_token="tok_same")
    audit()
    assert report_ids(alert_of("cashout_same_card")) == {r.pk for r in earlier} | {last.pk}


def test_a_sixth_use_in_a_later_run_joins_the_same_alert():
    terminal = reporting_terminal()
    uses(terminal, 5)
    audit(window_end=shanghai(1, 16))
    plant(terminal, at=shanghai(1, 17), card_token="tok_same")
    audit()
    alert = alert_of("cashout_same_card")
    assert alert.report_count == 6 and "used 6 times" in alert.explanation


def test_the_count_edited_on_the_rule_is_honoured():
    set_params("cashout_same_card", min_count=3)
    uses(reporting_terminal(), 3)
    audit()
    assert len(alerts("cashout_same_card")) == 1


def test_reports_without_a_card_token_are_not_one_card():
    terminal = reporting_terminal()
    times = [shanghai(1, 10) + timedelta(minutes=i) for i in range(6)]
    plant_many(terminal, times, method="wechat", masked_pan=None, card_token=None, cvm="none")
    audit()
    assert alerts("cashout_same_card") == []
