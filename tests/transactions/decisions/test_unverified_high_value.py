"""Unverified high value: a card sale over ¥5,000 with neither PIN nor signature is reviewed.

Debit cards, so that the credit-card cash-out checks stay out of it.
"""

import pytest

from tests.transactions.decisions.helpers import decide

pytestmark = pytest.mark.django_db


def test_exactly_the_limit_without_verification_is_accepted(api):
    decision = decide(api, method="debit_card", cvm="none", amount="5000.00")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_one_fen_over_the_limit_without_verification_is_reviewed(api):
    decision = decide(api, method="debit_card", cvm="none", amount="5000.01")
    assert decision["outcome"] == "review"
    assert decision["reasons"] == [
        {
            "code": "unverified_high_value",
            "message": "A card payment of ¥5,000.01 without PIN or signature (limit ¥5,000.00).",
            "figures": {"amount": "¥5,000.01", "limit": "¥5,000.00"},
        }
    ]


@pytest.mark.parametrize("cvm", ["pin", "signature"])
def test_over_the_limit_with_pin_or_signature_is_accepted(api, cvm):
    decision = decide(api, method="debit_card", cvm=cvm, amount="8000.01")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_contactless_is_not_verification(api):
    decision = decide(api, method="debit_card", cvm="contactless", amount="8000.01")
    assert decision["outcome"] == "review"


def test_a_qr_payment_is_not_a_card_payment(api):
    decision = decide(api, method="wechat", masked_pan=None, cvm="none", amount="8000.01")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
