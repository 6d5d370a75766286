"""Cash-out (套现): large sales of exactly round amounts."""

import pytest

from tests.transactions.audit.helpers import (
    alert_of,
    alerts,
    audit,
    only_rule,
    plant,
    report_ids,
    reporting_terminal,
    set_params,
    shanghai,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule():
    only_rule("cashout_round_amount")


def test_a_large_round_sale_raises_an_alert():
    terminal = reporting_terminal()
    sale = plant(terminal, at=shanghai(1, 12), amount="5000.00")
    audit()
    alert = alert_of("cashout_round_amount")
    assert (alert.merchant, alert.terminal, alert.severity) == (terminal.merchant, None, "medium")
    assert report_ids(alert) == {sale.pk}
    day = shanghai(1, 12).date()
    assert alert.explanation == (
        f"1 round-amount sale(s) of at least ¥5,000.00 on {day}: ¥5,000.00."
    )


def test_a_round_sale_just_under_the_minimum_is_fine():
    plant(reporting_terminal(), at=shanghai(1, 12), amount="4000.00")
    audit()
    assert alerts("cashout_round_amount") == []


def test_a_large_sale_that_is_not_round_is_fine():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 12), amount="5000.01")
    plant(terminal, at=shanghai(1, 13), amount="6500")
    audit()
    assert alerts("cashout_round_amount") == []


def test_a_round_refund_is_not_a_sale():
    terminal = reporting_terminal()
    plant(
        terminal,
        at=shanghai(1, 12),
        amount="8000",
        type="refund",
        original_report_id="6f1c1a52-3f7e-4c59-9a39-3b1a5fd1a001",
    )
    audit()
    assert alerts("cashout_round_amount") == []


def test_round_sales_of_one_merchant_and_day_share_one_alert():
    terminal = reporting_terminal()
    first = plant(terminal, at=shanghai(1, 10), amount="6000")
    second = plant(terminal, at=shanghai(1, 11), amount="20000.00")
    audit()
    alert = alert_of("cashout_round_amount")
    assert report_ids(alert) == {first.pk, second.pk}
    assert "¥6,000.00, ¥20,000.00" in alert.explanation or "¥20,000.00, ¥6,000.00" in (
        alert.explanation
    )


def test_the_amounts_edited_on_the_rule_are_honoured():
    set_params("cashout_round_amount", min_amount="2000", round_to="500")
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="2500")
    plant(terminal, at=shanghai(1, 11), amount="1500")
    audit()
    alert = alert_of("cashout_round_amount")
    assert alert.report_count == 1 and "at least ¥2,000.00" in alert.explanation
