"""Impossible travel: two reports of a terminal 50 km or more apart within 30 minutes.

0.44° of latitude is 48.9 km, 0.46° is 51.1 km (relocation is switched off here: these places
are far from the terminal's home too).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transactions.decisions.helpers import decide, set_check
from tests.transactions.helpers import BATCH, report

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


def test_a_late_report_is_compared_with_the_report_before_it_in_time(api):
    """Not with the terminal's latest: a sale reported late sits between two others."""
    start = timezone.now() - timedelta(hours=3)
    decide(api, occurred_at=start.isoformat(), lat=HOME[0] + 0.6, lng=HOME[1])  # far north
    decide(api, occurred_at=(start + timedelta(hours=2)).isoformat(), lat=HOME[0], lng=HOME[1])
    late = decide(
        api, occurred_at=(start + timedelta(minutes=5)).isoformat(), lat=HOME[0], lng=HOME[1]
    )
    assert late["outcome"] == "review"
    assert late["reasons"][0]["figures"]["minutes"] == "5"


def test_each_report_of_a_batch_is_compared_with_the_one_before_it(api):
    """An offline terminal's batch: 09:00 far north, 09:10 at home (too fast), 11:00 at home."""
    start = timezone.now() - timedelta(hours=3)
    moments = (start, start + timedelta(minutes=10), start + timedelta(hours=2))
    places = ((HOME[0] + 0.6, HOME[1]), HOME, HOME)
    reports = [
        report(api.terminal, occurred_at=moment.isoformat(), lat=lat, lng=lng)
        for moment, (lat, lng) in zip(moments, places, strict=True)
    ]
    # Sent newest first: the order of the batch does not matter, the times do.
    response = api.post(BATCH, {"reports": list(reversed(reports))})
    assert response.status_code == 200, response.json()
    flagged = {row["index"]: row for row in response.json()["decisions"]}
    assert list(flagged) == [1]  # the 09:10 report, second in time
    assert flagged[1]["reasons"][0]["code"] == "impossible_travel"
    assert flagged[1]["reasons"][0]["figures"]["minutes"] == "10"
