"""Terminal relocation (移机): far from the registered place, or two far places in a short time."""

from datetime import timedelta

import pytest

from tests.transactions.audit.helpers import (
    alert_of,
    alerts,
    audit,
    only_rule,
    plant,
    report_ids,
    reporting_terminal,
    set_params,
    shanghai,
)

pytestmark = pytest.mark.django_db

HOME_LAT, HOME_LNG = 31.235929, 121.506058  # the factory's registered location
KM_PER_DEGREE_LAT = 111.195  # on the 6,371 km sphere the rule uses


def north(km: float) -> float:
    return HOME_LAT + km / KM_PER_DEGREE_LAT


@pytest.fixture(autouse=True)
def _rule():
    only_rule("relocation")


@pytest.fixture
def far_from_home_only():
    """Impossible travel off, so a test sees the far-from-home finding alone."""
    set_params("relocation", travel_km=100_000)


@pytest.fixture
def travel_only():
    """Far from home off, so a test sees the impossible-travel finding alone."""
    set_params("relocation", max_km=100_000)


@pytest.mark.usefixtures("far_from_home_only")
def test_transaction_far_from_the_registered_location_raises_an_alert():
    terminal = reporting_terminal()
    far = plant(terminal, at=shanghai(1, 12), lat=north(11.1), lng=HOME_LNG)
    audit()
    alert = alert_of("relocation")
    assert (alert.merchant, alert.terminal, alert.severity) == (terminal.merchant, terminal, "high")
    assert report_ids(alert) == {far.pk}
    assert "11.1 km from the terminal's registered location (limit 5 km)" in alert.explanation


@pytest.mark.usefixtures("far_from_home_only")
def test_transaction_just_inside_the_radius_is_fine():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 12), lat=north(4.9), lng=HOME_LNG)
    audit()
    assert alerts("relocation") == []


@pytest.mark.usefixtures("far_from_home_only")
def test_transaction_without_a_location_is_not_judged():
    plant(reporting_terminal(), at=shanghai(1, 12), lat=None, lng=None)
    audit()
    assert alerts("relocation") == []


@pytest.mark.usefixtures("far_from_home_only")
def test_far_transactions_of_one_terminal_and_day_share_one_alert():
    terminal = reporting_terminal()
    first = plant(terminal, at=shanghai(1, 10), lat=north(8), lng=HOME_LNG)
    second = plant(terminal, at=shanghai(1, 15), lat=north(20), lng=HOME_LNG)
    audit()
    alert = alert_of("relocation")
    assert report_ids(alert) == {first.pk, second.pk}
    assert "2 transaction(s)" in alert.explanation and "up to 20.0 km" in alert.explanation


@pytest.mark.usefixtures("far_from_home_only")
def test_the_radius_edited_on_the_rule_is_honoured():
    set_params("relocation", max_km=20)
    plant(reporting_terminal(), at=shanghai(1, 12), lat=north(11.1), lng=HOME_LNG)
    audit()
    assert alerts("relocation") == []


@pytest.mark.usefixtures("travel_only")
def test_two_far_apart_places_within_minutes_is_impossible_travel():
    terminal = reporting_terminal()
    here = plant(terminal, at=shanghai(1, 12), lat=HOME_LAT, lng=HOME_LNG)
    there = plant(terminal, at=shanghai(1, 12, 10), lat=north(66.7), lng=HOME_LNG)
    audit()
    alert = alert_of("relocation")
    assert alert.terminal == terminal and report_ids(alert) == {here.pk, there.pk}
    assert (
        alert.explanation
        == "Two transactions 67 km apart within 10 minutes (limit 50 km in 30 min)."
    )


@pytest.mark.usefixtures("travel_only")
def test_two_places_just_under_the_distance_are_fine():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 12), lat=HOME_LAT, lng=HOME_LNG)
    plant(terminal, at=shanghai(1, 12, 10), lat=north(49), lng=HOME_LNG)
    audit()
    assert alerts("relocation") == []


@pytest.mark.usefixtures("travel_only")
def test_far_apart_places_just_over_the_time_limit_are_fine():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 12), lat=HOME_LAT, lng=HOME_LNG)
    plant(terminal, at=shanghai(1, 12, 31), lat=north(66.7), lng=HOME_LNG)
    audit()
    assert alerts("relocation") == []


@pytest.mark.usefixtures("travel_only")
def test_far_apart_places_on_two_terminals_are_not_travel():
    plant(reporting_terminal(), at=shanghai(1, 12), lat=HOME_LAT, lng=HOME_LNG)
    plant(reporting_terminal(), at=shanghai(1, 12, 10), lat=north(66.7), lng=HOME_LNG)
    audit()
    assert alerts("relocation") == []


@pytest.mark.usefixtures("travel_only")
def test_the_travel_time_edited_on_the_rule_is_honoured():
    set_params("relocation", travel_minutes=60)
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 12), lat=HOME_LAT, lng=HOME_LNG)
    plant(terminal, at=shanghai(1, 12, 31), lat=north(66.7), lng=HOME_LNG)
    audit()
    assert "within 31 minutes (limit 50 km in 60 min)" in alert_of("relocation").explanation


@pytest.mark.usefixtures("travel_only")
def test_a_late_report_is_compared_with_the_one_before_it_from_an_earlier_run():
    terminal = reporting_terminal()
    at = shanghai(1, 12)
    here = plant(terminal, at=at, lat=HOME_LAT, lng=HOME_LNG)
    audit(window_end=at + timedelta(hours=1))
    # Uploaded in a batch file hours later: it still happened 10 minutes after the first one.
    there = plant(
        terminal,
        at=at + timedelta(minutes=10),
        received=at + timedelta(hours=5),
        lat=north(66.7),
        lng=HOME_LNG,
    )
    audit()
    assert report_ids(alert_of("relocation")) == {here.pk, there.pk}


@pytest.mark.usefixtures("travel_only")
def test_running_again_over_new_reports_does_not_repeat_the_travel_alert():
    terminal = reporting_terminal()
    at = shanghai(1, 12)
    plant(terminal, at=at, lat=HOME_LAT, lng=HOME_LNG)
    plant(terminal, at=at + timedelta(minutes=10), lat=north(66.7), lng=HOME_LNG)
    audit(window_end=at + timedelta(minutes=12))
    plant(terminal, at=at + timedelta(minutes=15), lat=north(66.8), lng=HOME_LNG)
    audit()
    assert len(alerts("relocation")) == 1
