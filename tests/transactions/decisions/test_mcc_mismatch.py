"""MCC jumping (跳码): a report under an MCC other than the merchant's is held."""

import pytest

from tests.transactions.decisions.helpers import decide

pytestmark = pytest.mark.django_db


def test_the_merchants_own_mcc_is_accepted(api):
    decision = decide(api, mcc="5411")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_another_mcc_is_held(api):
    decision = decide(api, mcc="5812")
    assert decision["outcome"] == "hold"
    assert decision["reasons"] == [
        {
            "code": "mcc_mismatch",
            "message": "Acquired under MCC 5812; the merchant is registered under 5411.",
            "figures": {"mcc": "5812", "registered": "5411"},
        }
    ]
