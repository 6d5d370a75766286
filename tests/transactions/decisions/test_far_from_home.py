"""Relocation (移机): a report more than 5 km from the terminal's registered location is reviewed.

The factory's terminals stand at 31.235929, 121.506058; 0.044° of latitude north is 4.9 km,
0.046° is 5.1 km.
"""

import pytest

from tests.transactions.decisions.helpers import codes, decide, set_check

pytestmark = pytest.mark.django_db

LNG = 121.506058


def test_just_inside_the_radius_is_accepted(api):
    decision = decide(api, lat=31.279929, lng=LNG)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_just_outside_the_radius_is_reviewed(api):
    decision = decide(api, lat=31.281929, lng=LNG)
    assert decision["outcome"] == "review"
    assert decision["reasons"] == [
        {
            "code": "far_from_home",
            "message": "Reported 5.1 km from the terminal's registered location (limit 5 km).",
            "figures": {"km": "5.1", "limit": "5"},
        }
    ]


def test_a_report_without_a_location_is_not_checked(api):
    decision = decide(api, lat=None, lng=None)
    assert (decision["outcome"], decision["reasons"]) == ("accept", [])


def test_the_radius_edited_on_the_check_is_honoured(api):
    set_check("far_from_home", parameters={"max_km": 10})
    assert "far_from_home" not in codes(decide(api, lat=31.281929, lng=LNG))
