"""A held terminal: whatever it reports is held until staff release the terminal."""

import pytest

from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.decisions.helpers import decide
from transactions.reports.holds import hold_place, hold_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


@pytest.fixture
def terminal_hold(api, lead):
    terminal = api.terminal
    alert = AlertFactory(merchant=terminal.merchant, terminal=terminal, severity="high")
    [hold] = hold_place(alert=alert, actor=lead, reason="Card testing", terminal=True)
    return hold


def test_a_terminal_without_a_hold_is_accepted(api):
    decision = decide(api)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_a_report_from_a_held_terminal_is_held(api, terminal_hold):
    decision = decide(api)
    assert decision["outcome"] == "hold"
    assert decision["reasons"] == [
        {"code": "terminal_held", "message": "The terminal is on hold.", "figures": {}}
    ]


def test_a_released_terminal_is_accepted_again(api, terminal_hold, lead):
    hold_release(hold=terminal_hold, actor=lead, reason="Cleared with the merchant")
    decision = decide(api)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
