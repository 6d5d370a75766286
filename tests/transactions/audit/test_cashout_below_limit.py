"""Cash-out (套现): sales a little below a single-transaction limit."""

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
    only_rule("cashout_below_limit")


def test_a_sale_just_under_a_limit_raises_an_alert():
    terminal = reporting_terminal()
    sale = plant(terminal, at=shanghai(1, 12), amount="49500.00")
    audit()
    alert = alert_of("cashout_below_limit")
    assert (alert.merchant, alert.terminal) == (terminal.merchant, None)
    assert report_ids(alert) == {sale.pk}
    day = shanghai(1, 12).date()
    assert alert.explanation == (
        f"1 sale(s) on {day} just under a limit "
        "(¥50,000.00, ¥20,000.00, ¥10,000.00, within 2%): ¥49,500.00."
    )


def test_a_sale_at_the_edge_of_the_margin_counts():
    plant(reporting_terminal(), at=shanghai(1, 12), amount="9800.00")
    audit()
    assert len(alerts("cashout_below_limit")) == 1


def test_a_sale_just_outside_the_margin_is_fine():
    plant(reporting_terminal(), at=shanghai(1, 12), amount="9799.99")
    audit()
    assert alerts("cashout_below_limit") == []


def test_a_sale_at_the_limit_itself_is_fine():
    plant(reporting_terminal(), at=shanghai(1, 12), amount="20000.00")
    audit()
    assert alerts("cashout_below_limit") == []


def test_a_refund_just_under_a_limit_is_not_a_sale():
    plant(
        reporting_terminal(),
        at=shanghai(1, 12),
        amount="19999",
        type="refund",
        original_report_id="6f1c1a52-3f7e-4c59-9a39-3b1a5fd1a002",
    )
    audit()
    assert alerts("cashout_below_limit") == []


def test_sales_under_several_limits_on_one_day_share_one_alert():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="19999.00")
    plant(terminal, at=shanghai(1, 11), amount="49999.99")
    audit()
    assert alert_of("cashout_below_limit").report_count == 2


def test_the_limits_and_margin_edited_on_the_rule_are_honoured():
    set_params("cashout_below_limit", limits=["3000"], margin_percent=5)
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="2850")
    plant(terminal, at=shanghai(1, 11), amount="9900")
    audit()
    alert = alert_of("cashout_below_limit")
    assert alert.report_count == 1 and "(¥3,000.00, within 5%)" in alert.explanation
