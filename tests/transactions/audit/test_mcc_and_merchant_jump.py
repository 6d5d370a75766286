import pytest

from tests.transactions.audit.helpers import alerts, audit, only_rule, plant, reporting_terminal

pytestmark = pytest.mark.django_db


def test_other_mcc_than_registered_is_mcc_jumping():
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, mcc="5812")
    audit()
    [alert] = alerts("mcc_jump")
    assert (
        "MCC 5812 on 1 transaction" in alert.explanation
        and f"{terminal.merchant.mcc} registered" in alert.explanation
    )
    assert alert.severity == "high" and alert.terminal == terminal


def test_registered_mcc_is_fine():
    only_rule("mcc_jump")
    plant(reporting_terminal())
    audit()
    assert alerts("mcc_jump") == []


def test_other_mid_is_merchant_jumping():
    only_rule("merchant_jump")
    terminal = reporting_terminal()
    plant(terminal, acquirer_mid="898440058120007")
    audit()
    [alert] = alerts("merchant_jump")
    assert "MID 898440058120007" in alert.explanation and terminal.merchant.mid in alert.explanation


def test_other_tid_is_merchant_jumping():
    only_rule("merchant_jump")
    terminal = reporting_terminal()
    plant(terminal, tid="99999999")
    audit()
    assert len(alerts("merchant_jump")) == 1


def test_own_mid_and_tid_are_fine():
    only_rule("merchant_jump")
    plant(reporting_terminal())
    audit()
    assert alerts("merchant_jump") == []
