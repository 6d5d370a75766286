"""Cash-out (套现): a credit-card sale within 2 % under a limit (¥10,000, ¥20,000, ¥50,000) is
reviewed: from ¥9,800.00 up to ¥9,999.99 under the ¥10,000 limit."""

import pytest

from tests.transactions.decisions.helpers import codes, decide

pytestmark = pytest.mark.django_db


def test_just_below_the_margin_is_accepted(api):
    decision = decide(api, amount="9799.99")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_at_the_margin_is_reviewed(api):
    decision = decide(api, amount="9800.00")
    assert decision["outcome"] == "review"
    assert decision["reasons"] == [
        {
            "code": "below_limit",
            "message": "A credit-card sale of ¥9,800.00, within 2 % under the limit of ¥10,000.00.",
            "figures": {"amount": "¥9,800.00", "margin": "2", "limit": "¥10,000.00"},
        }
    ]


def test_one_fen_under_the_limit_is_reviewed(api):
    decision = decide(api, amount="49999.99")
    assert codes(decision) == ["below_limit"]
    assert decision["reasons"][0]["figures"]["limit"] == "¥50,000.00"


def test_the_limit_itself_is_not_below_it(api):
    assert "below_limit" not in codes(decide(api, amount="10000.00"))


def test_a_debit_card_sale_is_not_checked(api):
    decision = decide(api, method="debit_card", amount="9900.00")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
