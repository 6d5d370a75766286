"""Impossible travel: two reports of a terminal 50 km or more apart within 30 minutes.

0.44° of latitude is 48.9 km, 0.46° is 51.1 km (relocation is switched off here: these places
are far from the terminal's home too).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transactions.decisions.helpers import decide, set_check

pytestmark = pytest.mark.django_db

HOME = (31.235929, 121.506058)


@pytest.fixture(autouse=True)
def _no_relocation():
    set_check("far_from_home", enabled=False)


def travel(api, *, north: float, minutes: int) -> dict:
    """A report at home, then one ``north`` degrees north ``minutes`` later; the second's
    decision."""
    start = timezone.now() - timedelta(hours=1)
    decide(api, occurred_at=start.isoformat(), lat=HOME[0], lng=HOME[1])
    later = (start + timedelta(minutes=minutes)).isoformat()
    return decide(api, occurred_at=later, lat=round(HOME[0] + north, 6), lng=HOME[1])


def test_just_under_the_distance_is_accepted(api):
    decision = travel(api, north=0.44, minutes=10)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_just_over_the_distance_is_reviewed(api):
    decision = travel(api, north=0.46, minutes=10)
    assert decision["outcome"] == "review"
    assert decision["reasons"] == [
        {
            "code": "impossible_travel",
            "message": "51.1 km from the terminal's previous report, 10 minutes apart "
            "(50 km within 30 minutes is not possible).",
            "figures": {"km": "51.1", "minutes": "10", "travel_km": "50", "travel_minutes": "30"},
        }
    ]


def test_thirty_minutes_apart_is_still_too_fast(api):
    decision = travel(api, north=0.6, minutes=30)
    assert decision["outcome"] == "review"
    assert decision["reasons"][0]["figures"]["minutes"] == "30"


def test_thirty_one_minutes_apart_is_possible(api):
    decision = travel(api, north=0.6, minutes=31)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_the_first_located_report_has_nothing_to_compare(api):
    decision = decide(api, lat=HOME[0] + 1, lng=HOME[1])
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])
