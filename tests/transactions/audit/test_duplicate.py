"""Duplicates: the same card and amount on one terminal again within seconds."""

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


@pytest.fixture(autouse=True)
def _rule():
    only_rule("duplicate")


def twice(terminal, seconds, **second_fields):
    at = shanghai(1, 12)
    first = plant(terminal, at=at, amount="88.00")
    fields = {"amount": "88.00", **second_fields}
    second = plant(terminal, at=at + timedelta(seconds=seconds), **fields)
    return first, second


def test_same_card_and_amount_seconds_apart_raises_an_alert():
    terminal = reporting_terminal()
    first, second = twice(terminal, 30)
    audit()
    alert = alert_of("duplicate")
    assert (alert.merchant, alert.terminal) == (terminal.merchant, terminal)
    assert report_ids(alert) == {first.pk, second.pk}
    assert alert.explanation == (
        "The same card 622848******1234 was charged ¥88.00 twice on one terminal "
        "30 s apart (limit 60 s)."
    )


def test_the_same_second_is_a_duplicate_too():
    first, second = twice(reporting_terminal(), 0)
    audit()
    assert report_ids(alert_of("duplicate")) == {first.pk, second.pk}


def test_just_over_the_time_limit_is_fine():
    twice(reporting_terminal(), 61)
    audit()
    assert alerts("duplicate") == []


def test_another_amount_is_fine():
    twice(reporting_terminal(), 5, amount="88.01")
    audit()
    assert alerts("duplicate") == []


def test_another_card_is_fine():
    twice(reporting_terminal(), 5, masked_pan="622848******9999", card_token="tok_other")
    audit()
    assert alerts("duplicate") == []


def test_the_same_card_on_two_terminals_is_fine():
    at = shanghai(1, 12)
    plant(reporting_terminal(), at=at, amount="88.00")
    plant(reporting_terminal(), at=at + timedelta(seconds=5), amount="88.00")
    audit()
    assert alerts("duplicate") == []


def test_a_sale_and_its_void_are_not_duplicates():
    terminal = reporting_terminal()
    at = shanghai(1, 12)
    sale = plant(terminal, at=at, amount="88.00")
    plant(
        terminal,
        at=at + timedelta(seconds=5),
        amount="88.00",
        type="void",
        original_report_id=str(sale.report_id),
    )
    audit()
    assert alerts("duplicate") == []


def test_the_seconds_edited_on_the_rule_are_honoured():
    set_params("duplicate", seconds=120)
    twice(reporting_terminal(), 90)
    audit()
    assert "90 s apart (limit 120 s)" in alert_of("duplicate").explanation


def test_a_duplicate_of_a_sale_seen_by_the_last_run_is_found():
    terminal = reporting_terminal()
    at = shanghai(1, 12)
    first = plant(terminal, at=at, amount="88.00", received=at + timedelta(seconds=1))
    audit(window_end=at + timedelta(seconds=10))
    second = plant(terminal, at=at + timedelta(seconds=20), amount="88.00")
    audit()
    assert report_ids(alert_of("duplicate")) == {first.pk, second.pk}


def test_running_again_does_not_repeat_a_duplicate_alert():
    terminal = reporting_terminal()
    at = shanghai(1, 12)
    twice(terminal, 0)
    audit(window_end=at + timedelta(minutes=5))
    plant(terminal, at=at + timedelta(minutes=10), amount="88.00")
    audit()
    assert len(alerts("duplicate")) == 1


def test_a_duplicate_uploaded_days_after_its_twin_is_found():
    terminal = reporting_terminal()
    at = shanghai(5, 12)
    first = plant(terminal, at=at, amount="88.00")
    audit(window_end=at + timedelta(hours=1))
    second = plant(terminal, at=at + timedelta(seconds=20), amount="88.00", received=shanghai(1, 9))
    audit()
    assert report_ids(alert_of("duplicate")) == {first.pk, second.pk}


def test_a_sale_uploaded_days_later_but_minutes_after_the_other_is_fine():
    terminal = reporting_terminal()
    at = shanghai(5, 12)
    plant(terminal, at=at, amount="88.00")
    audit(window_end=at + timedelta(hours=1))
    plant(terminal, at=at + timedelta(seconds=61), amount="88.00", received=shanghai(1, 9))
    audit()
    assert alerts("duplicate") == []
