"""Merchant jumping (跳商户): a report under a MID or TID other than the terminal's is held."""

import pytest

from tests.transactions.decisions.helpers import codes, decide

pytestmark = pytest.mark.django_db

OTHER_MID = "898310054119999"


def test_the_terminals_own_mid_and_tid_are_accepted(api):
    decision = decide(api, acquirer_mid=api.terminal.merchant.mid, tid=api.terminal.tid)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_another_mid_is_held(api):
    decision = decide(api, acquirer_mid=OTHER_MID)
    own_mid, own_tid = api.terminal.merchant.mid, api.terminal.tid
    assert decision["outcome"] == "hold"
    assert decision["reasons"] == [
        {
            "code": "mid_tid_mismatch",
            "message": f"Acquired under MID {OTHER_MID} and TID {own_tid}; the terminal's own "
            f"are {own_mid} and {own_tid}.",
            "figures": {"mid": OTHER_MID, "tid": own_tid, "own_mid": own_mid, "own_tid": own_tid},
        }
    ]


def test_another_tid_is_held(api):
    decision = decide(api, tid="99999999")
    assert decision["outcome"] == "hold" and codes(decision) == ["mid_tid_mismatch"]
    assert decision["reasons"][0]["figures"]["tid"] == "99999999"
