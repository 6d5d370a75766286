"""Refund anomaly: a refund or void without its original sale, larger than it, or to another card
is held."""

import uuid

import pytest

from tests.transactions.decisions.helpers import codes, decide
from tests.transactions.helpers import REPORTS, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(api):
    payload = report(api.terminal, amount="300.00")
    assert api.post(REPORTS, payload).status_code == 201
    return payload


def refund(api, sale, **fields):
    return decide(api, type="refund", original_report_id=sale["report_id"], **fields)


def test_a_refund_of_the_whole_sale_is_accepted(api, sale):
    decision = refund(api, sale, amount="300.00")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_a_refund_one_fen_over_its_sale_is_held(api, sale):
    decision = refund(api, sale, amount="300.01")
    assert decision["outcome"] == "hold"
    assert decision["reasons"] == [
        {
            "code": "refund_original",
            "message": "A refund of ¥300.01, more than its original sale of ¥300.00.",
            "figures": {"type": "refund", "amount": "¥300.01", "original": "¥300.00"},
        }
    ]


def test_a_refund_without_its_original_is_held(api):
    decision = decide(api, type="refund", original_report_id=str(uuid.uuid4()))
    assert decision["outcome"] == "hold"
    assert decision["reasons"] == [
        {
            "code": "refund_original",
            "message": "A refund without its original sale at this merchant.",
            "figures": {"type": "refund"},
        }
    ]


def test_a_void_to_another_card_is_held(api, sale):
    decision = decide(
        api,
        type="void",
        original_report_id=sale["report_id"],
        amount="300.00",
        card_token="tok_other",
        masked_pan="622848******9876",
    )
    assert decision["outcome"] == "hold" and codes(decision) == ["refund_original"]
    assert decision["reasons"][0]["message"] == "A void to another card than its original sale's."


def test_a_refund_to_the_same_card_number_without_its_token_is_accepted(api, sale):
    """The terminal sent the card's token with the sale, not with the refund: nothing says it
    is another card."""
    decision = refund(api, sale, amount="300.00", card_token=None)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_a_refund_to_another_card_number_without_a_token_is_held(api, sale):
    decision = refund(api, sale, amount="300.00", card_token=None, masked_pan="622848******9876")
    assert codes(decision) == ["refund_original"]


def test_a_refund_with_a_token_to_another_card_number_than_a_tokenless_sale_is_held(api):
    sale = report(api.terminal, card_token=None, masked_pan="622848******1234", amount="300.00")
    assert api.post(REPORTS, sale).status_code == 201
    decision = refund(api, sale, amount="300.00", card_token="tok_x", masked_pan="622848******9876")
    assert codes(decision) == ["refund_original"]
