"""Cash-out (套现): a credit-card sale at an hour that carries under 1 % of the merchant's last
30 days of reports (200 at least) is reviewed.

History is planted as daily rollups two days ago; the screened sale is yesterday at 03:15
(Beijing) and counts itself: with one earlier 03:00 report it is 2 of 202, under 1 %; with two
it is 3 of 203, not.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from portal.common.beijing import SHANGHAI
from tests.transactions.decisions.helpers import codes, decide
from transactions.models import TerminalDay

pytestmark = pytest.mark.django_db


def beijing(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = (timezone.now() - timedelta(days=days_ago)).astimezone(SHANGHAI)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def history(terminal, *, open_hours: int = 200, at_three: int = 0) -> None:
    """Reports two days ago: ``open_hours`` at 10:00, ``at_three`` at 03:00."""
    TerminalDay.objects.create(
        terminal=terminal,
        merchant=terminal.merchant,
        day=beijing(2, 0).date(),
        reports=open_hours + at_three,
        h10=open_hours,
        h03=at_three,
    )


def night_sale(api, **fields) -> dict:
    return decide(api, occurred_at=beijing(1, 3, 15).isoformat(), **fields)


def test_an_hour_with_just_enough_of_the_history_is_open(api):
    history(api.terminal, at_three=2)
    decision = night_sale(api)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_an_hour_with_just_too_little_of_the_history_is_reviewed(api):
    history(api.terminal, at_three=1)
    decision = night_sale(api)
    assert decision["outcome"] == "review"
    assert decision["reasons"] == [
        {
            "code": "after_hours",
            "message": "A credit-card sale at 03:00, an hour when this merchant is normally "
            "closed (2 of its 202 recent reports).",
            "figures": {"hour": "03:00", "count": "2", "total": "202"},
        }
    ]


def test_one_report_short_of_the_history_needed_is_accepted(api):
    history(api.terminal, open_hours=198)
    decision = night_sale(api)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_just_enough_history_to_judge_is_reviewed(api):
    history(api.terminal, open_hours=199)
    decision = night_sale(api)
    assert codes(decision) == ["after_hours"]
    assert decision["reasons"][0]["figures"] == {"hour": "03:00", "count": "1", "total": "200"}


def test_a_debit_card_sale_is_not_checked(api):
    history(api.terminal)
    decision = night_sale(api, method="debit_card")
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_a_sale_in_the_open_hours_is_accepted(api):
    history(api.terminal)
    decision = decide(api, occurred_at=beijing(1, 10, 15).isoformat())
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
