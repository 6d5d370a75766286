"""Unverified high value: a large card payment with neither PIN nor signature."""

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
    only_rule("unverified_high_value")


def test_large_card_sale_without_pin_or_signature_raises_an_alert():
    terminal = reporting_terminal()
    sale = plant(terminal, at=shanghai(1, 12), amount="5000.00", cvm="none")
    audit()
    alert = alert_of("unverified_high_value")
    assert (alert.merchant, alert.terminal, alert.severity) == (terminal.merchant, terminal, "high")
    assert report_ids(alert) == {sale.pk}
    assert alert.explanation == (
        "¥5,000.00 on card 622848******1234 verified by “none”: no PIN or signature above ¥5,000.00."
    )


def test_large_contactless_sale_is_unverified_too():
    plant(reporting_terminal(), at=shanghai(1, 12), amount="8000", cvm="contactless")
    audit()
    assert "verified by “contactless”" in alert_of("unverified_high_value").explanation


def test_a_sale_just_under_the_threshold_is_fine():
    plant(reporting_terminal(), at=shanghai(1, 12), amount="4999.99", cvm="none")
    audit()
    assert alerts("unverified_high_value") == []


@pytest.mark.parametrize("cvm", ["pin", "signature"])
def test_a_large_sale_with_pin_or_signature_is_fine(cvm):
    plant(reporting_terminal(), at=shanghai(1, 12), amount="9000", cvm=cvm)
    audit()
    assert alerts("unverified_high_value") == []


def test_a_large_qr_payment_is_not_a_card_payment():
    plant(
        reporting_terminal(),
        at=shanghai(1, 12),
        amount="9000",
        method="alipay",
        masked_pan=None,
        card_token=None,
        cvm="none",
    )
    audit()
    assert alerts("unverified_high_value") == []


def test_each_unverified_sale_is_its_own_alert():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="6000", cvm="none")
    plant(terminal, at=shanghai(1, 11), amount="7000", cvm="none")
    audit()
    assert [a.report_count for a in alerts("unverified_high_value")] == [1, 1]


def test_the_threshold_edited_on_the_rule_is_honoured():
    set_params("unverified_high_value", min_amount="1000")
    plant(reporting_terminal(), at=shanghai(1, 12), amount="1200", cvm="none")
    audit()
    assert "above ¥1,000.00" in alert_of("unverified_high_value").explanation
