"""Refund anomalies: a refund or void without its original, larger than it, or on another card."""

import uuid
from datetime import timedelta

import pytest

from tests.transactions.audit.helpers import (
    alert_of,
    alerts,
    audit,
    only_rule,
    plant,
    report_ids,
    reporting_terminal,
    shanghai,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rule():
    only_rule("refund_anomaly")


def sale_and_refund(terminal, *, refund_terminal=None, kind="refund", **refund_fields):
    at = shanghai(1, 12)
    sale = plant(terminal, at=at, amount="100.00")
    fields = {"amount": "100.00", **refund_fields}
    refund = plant(
        refund_terminal or terminal,
        at=at + timedelta(hours=1),
        type=kind,
        original_report_id=str(sale.report_id),
        **fields,
    )
    return sale, refund


def test_refund_without_its_original_raises_an_alert():
    terminal = reporting_terminal()
    missing = uuid.uuid4()
    refund = plant(
        terminal, at=shanghai(1, 12), type="refund", amount="50", original_report_id=str(missing)
    )
    audit()
    alert = alert_of("refund_anomaly")
    assert (alert.merchant, alert.terminal) == (terminal.merchant, terminal)
    assert report_ids(alert) == {refund.pk}
    assert alert.explanation == f"A refund of ¥50.00: its original {missing} was never reported."


def test_refund_larger_than_its_original_raises_an_alert():
    sale, refund = sale_and_refund(reporting_terminal(), amount="100.01")
    audit()
    alert = alert_of("refund_anomaly")
    assert report_ids(alert) == {sale.pk, refund.pk}
    assert alert.explanation == (
        "A refund of ¥100.01: it is larger than its original (¥100.01 > ¥100.00)."
    )


def test_refund_of_the_full_amount_on_the_same_card_is_fine():
    sale_and_refund(reporting_terminal())
    audit()
    assert alerts("refund_anomaly") == []


def test_partial_refund_is_fine():
    sale_and_refund(reporting_terminal(), amount="99.99")
    audit()
    assert alerts("refund_anomaly") == []


def test_void_on_another_card_raises_an_alert():
    sale, void = sale_and_refund(
        reporting_terminal(), kind="void", masked_pan="622848******9999", card_token="tok_other"
    )
    audit()
    alert = alert_of("refund_anomaly")
    assert report_ids(alert) == {sale.pk, void.pk}
    assert alert.explanation == (
        "A void of ¥100.00: it is on another card than its original "
        "(622848******9999 vs 622848******1234)."
    )


def test_refund_with_the_same_masked_number_but_another_card_token_raises_an_alert():
    sale_and_refund(reporting_terminal(), card_token="tok_other")
    audit()
    assert "on another card" in alert_of("refund_anomaly").explanation


def test_refund_at_another_terminal_of_the_same_merchant_finds_its_original():
    terminal = reporting_terminal()
    sale_and_refund(terminal, refund_terminal=reporting_terminal(merchant=terminal.merchant))
    audit()
    assert alerts("refund_anomaly") == []


def test_an_original_at_another_merchant_does_not_count():
    sale_and_refund(reporting_terminal(), refund_terminal=reporting_terminal())
    audit()
    assert "was never reported" in alert_of("refund_anomaly").explanation


def test_a_refund_whose_original_was_audited_by_an_earlier_run_is_checked_against_it():
    terminal = reporting_terminal()
    at = shanghai(2, 12)
    sale = plant(terminal, at=at, amount="100.00")
    audit(window_end=at + timedelta(hours=1))
    plant(
        terminal,
        at=shanghai(1, 12),
        type="refund",
        amount="100.00",
        original_report_id=str(sale.report_id),
    )
    audit()
    assert alerts("refund_anomaly") == []
