"""Cash-out (套现): a credit-card sale of ¥5,000 or more in an exact multiple of ¥1,000 is
reviewed."""

import pytest

from tests.transactions.decisions.helpers import decide, set_check

pytestmark = pytest.mark.django_db


def test_a_round_sum_under_the_minimum_is_accepted(api):
    decision = decide(api, amount="4000.00")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_a_round_sum_at_the_minimum_is_reviewed(api):
    decision = decide(api, amount="5000.00")
    assert decision["outcome"] == "review"
    assert decision["reasons"] == [
        {
            "code": "round_amount",
            "message": "A credit-card sale of ¥5,000.00, an exact multiple of ¥1,000.00.",
            "figures": {"amount": "¥5,000.00", "round_to": "¥1,000.00"},
        }
    ]


def test_one_fen_off_a_round_sum_is_accepted(api):
    decision = decide(api, amount="6000.01")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_a_debit_card_sale_is_not_checked(api):
    decision = decide(api, method="debit_card", amount="6000.00")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_the_round_sum_edited_on_the_check_is_honoured(api):
    set_check("round_amount", parameters={"round_to": 500})
    decision = decide(api, amount="5500.00")
    assert decision["reasons"][0]["figures"] == {"amount": "¥5,500.00", "round_to": "¥500.00"}
