"""Cash-out (套现): credit-card sales at hours the merchant is normally closed.

The merchant's normal hours are learnt from its own history: 200 sales between 09:00 and 18:59
over 20 days leave 03:00 an hour with (far) less than 1% of them.
"""

import pytest
from django.utils import timezone

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
    only_rule("cashout_off_hours")


def open_hours_history(terminal, *, days=20, extra=()):
    """Ten sales a day, one an hour from 09:00 to 18:00, on the days before yesterday."""
    times = [shanghai(d, h, 30) for d in range(2, 2 + days) for h in range(9, 19)]
    return plant_many(terminal, times + list(extra), method="debit_card")


def test_credit_card_sale_in_a_closed_hour_raises_an_alert():
    terminal = reporting_terminal()
    open_hours_history(terminal)
    night = plant(terminal, at=shanghai(1, 3, 15), method="credit_card")
    audit()
    alert = alert_of("cashout_off_hours")
    assert (alert.merchant, alert.terminal) == (terminal.merchant, None)
    assert report_ids(alert) == {night.pk}
    day = shanghai(1, 3).date()
    assert alert.explanation == (
        f"1 credit-card sale(s) on {day} at 03:00, hours when this merchant is normally closed."
    )


def test_credit_card_sale_in_an_open_hour_is_fine():
    terminal = reporting_terminal()
    open_hours_history(terminal)
    plant(terminal, at=shanghai(1, 10, 15), method="credit_card")
    audit()
    assert alerts("cashout_off_hours") == []


def test_debit_card_sale_in_a_closed_hour_is_fine():
    terminal = reporting_terminal()
    open_hours_history(terminal)
    plant(terminal, at=shanghai(1, 3, 15), method="debit_card")
    audit()
    assert alerts("cashout_off_hours") == []


def test_credit_card_refund_in_a_closed_hour_is_not_a_sale():
    terminal = reporting_terminal()
    open_hours_history(terminal)
    plant(
        terminal,
        at=shanghai(1, 3, 15),
        method="credit_card",
        type="refund",
        original_report_id="6f1c1a52-3f7e-4c59-9a39-3b1a5fd1a003",
    )
    audit()
    assert alerts("cashout_off_hours") == []


def test_an_hour_with_just_enough_of_the_history_is_open():
    """Two earlier 03:00 sales plus this one make 3 of 203, over the 1% share: not closed."""
    terminal = reporting_terminal()
    open_hours_history(terminal, extra=[shanghai(5, 3, 10), shanghai(9, 3, 10)])
    plant(terminal, at=shanghai(1, 3, 15), method="credit_card")
    audit()
    assert alerts("cashout_off_hours") == []


def test_a_merchant_with_too_little_history_has_no_closed_hours_yet():
    """198 past sales and tonight's make 199, one short of the 200 the rule needs to judge."""
    terminal = reporting_terminal()
    times = [shanghai(d, h, 30) for d in range(2, 22) for h in range(9, 19)][:198]
    plant_many(terminal, times, method="debit_card")
    plant(terminal, at=shanghai(1, 3, 15), method="credit_card")
    audit()
    assert alerts("cashout_off_hours") == []


def test_history_older_than_the_look_back_is_not_counted():
    set_params("cashout_off_hours", history_days=10)
    terminal = reporting_terminal()
    open_hours_history(terminal)  # only 80 of the 200 fall in the last 10 days
    plant(terminal, at=shanghai(1, 3, 15), method="credit_card")
    audit()
    assert alerts("cashout_off_hours") == []


def test_the_quiet_share_edited_on_the_rule_is_honoured():
    set_params("cashout_off_hours", quiet_share_percent=5)
    terminal = reporting_terminal()
    open_hours_history(terminal, extra=[shanghai(5, 3, 10), shanghai(9, 3, 10)])
    plant(terminal, at=shanghai(1, 3, 15), method="credit_card")
    audit()
    assert "at 03:00" in alert_of("cashout_off_hours").explanation


def test_a_later_run_joining_the_days_alert_explains_the_whole_day():
    terminal = reporting_terminal()
    open_hours_history(terminal)
    first = plant(terminal, at=shanghai(1, 3, 15), method="credit_card")
    audit()
    late = plant(terminal, at=shanghai(1, 4, 10), received=timezone.now(), method="credit_card")
    audit()
    [alert] = alerts("cashout_off_hours")
    assert report_ids(alert) == {first.pk, late.pk}
    day = shanghai(1, 3).date()
    assert alert.explanation == (
        f"2 credit-card sale(s) on {day} at 03:00, 04:00, "
        "hours when this merchant is normally closed."
    )
