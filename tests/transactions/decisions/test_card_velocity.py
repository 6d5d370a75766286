"""Card velocity: more than 3 uses of a card at the terminal, 5 at the merchant, or over ¥50,000
at the merchant, within 10 minutes, is reviewed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transactions.decisions.helpers import codes, decide, set_check
from tests.transactions.helpers import TerminalAPI, reporting_terminal

pytestmark = pytest.mark.django_db


def used(api, times, **fields):
    for _ in range(times):
        decide(api, **fields)


def test_third_use_at_the_terminal_is_accepted(api):
    used(api, 2)
    decision = decide(api)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_fourth_use_at_the_terminal_is_reviewed(api):
    used(api, 3)
    decision = decide(api)
    assert decision["outcome"] == "review"
    assert decision["reasons"] == [
        {
            "code": "card_velocity",
            "message": "This card was used 4 time(s) at this terminal and 4 time(s) at this "
            "merchant for ¥514.00 in 10 minutes (limits 3, 5 and ¥50,000.00).",
            "figures": {
                "minutes": "10",
                "terminal_count": "4",
                "merchant_count": "4",
                "merchant_amount": "¥514.00",
                "max_count_terminal": "3",
                "max_count_merchant": "5",
                "max_amount": "¥50,000.00",
            },
        }
    ]


def test_fifth_use_at_the_merchant_is_accepted(client, api):
    other = TerminalAPI(client, reporting_terminal(merchant=api.terminal.merchant))
    used(other, 2)
    used(api, 2)
    decision = decide(api)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_sixth_use_at_the_merchant_is_reviewed(client, api):
    other = TerminalAPI(client, reporting_terminal(merchant=api.terminal.merchant))
    used(other, 3)
    used(api, 2)
    decision = decide(api)
    assert decision["outcome"] == "review" and codes(decision) == ["card_velocity"]
    figures = decision["reasons"][0]["figures"]
    assert (figures["terminal_count"], figures["merchant_count"]) == ("3", "6")


def test_exactly_the_amount_limit_is_accepted(api):
    decide(api, method="debit_card", amount="25000.00")
    decision = decide(api, method="debit_card", amount="25000.00")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_one_fen_over_the_amount_limit_is_reviewed(api):
    decide(api, method="debit_card", amount="25000.00")
    decision = decide(api, method="debit_card", amount="25000.01")
    assert decision["outcome"] == "review" and codes(decision) == ["card_velocity"]
    assert decision["reasons"][0]["figures"]["merchant_amount"] == "¥50,000.01"


def test_a_use_ten_minutes_earlier_is_outside_the_window(api):
    now = timezone.now() - timedelta(minutes=1)
    decide(api, occurred_at=(now - timedelta(minutes=10)).isoformat())
    used(api, 2, occurred_at=(now - timedelta(minutes=5)).isoformat())
    decision = decide(api, occurred_at=now.isoformat())
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_a_use_just_inside_the_window_counts(api):
    now = timezone.now() - timedelta(minutes=1)
    decide(api, occurred_at=(now - timedelta(minutes=9, seconds=59)).isoformat())
    used(api, 2, occurred_at=(now - timedelta(minutes=5)).isoformat())
    decision = decide(api, occurred_at=now.isoformat())
    assert codes(decision) == ["card_velocity"]
    assert decision["reasons"][0]["figures"]["terminal_count"] == "4"


def test_the_limits_edited_on_the_check_are_honoured(api):
    set_check("card_velocity", parameters={"max_count_terminal": 1})
    decide(api)
    assert codes(decide(api)) == ["card_velocity"]


def test_another_card_does_not_count(api):
    used(api, 3)
    decision = decide(api, card_token="tok_other", masked_pan="622848******9876")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
