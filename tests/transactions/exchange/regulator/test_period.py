"""What periods may be asked for: every refusal names its field and says why."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from transactions.exchange.regulator.periods import period_check

TODAY = date(2026, 12, 7)


def _errors(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        period_check(today=TODAY, **kwargs)
    return caught.value.message_dict


def test_a_year_up_to_today_is_a_period():
    period = period_check(kind="annual", start=date(2025, 12, 8), end=TODAY, today=TODAY)
    assert (period.start, period.end, period.days) == (date(2025, 12, 8), TODAY, 365)


def test_a_single_day_and_a_leap_year_are_periods():
    assert period_check(kind="annual", start=TODAY, end=TODAY, today=TODAY).days == 1
    leap = period_check(kind="annual", start=date(2024, 1, 1), end=date(2024, 12, 31), today=TODAY)
    assert leap.days == 366


def test_a_reversed_period_is_refused():
    errors = _errors(kind="annual", start=date(2026, 3, 31), end=date(2026, 3, 1))
    assert errors == {"end": ["The end of the period is before its start."]}


def test_a_period_ending_after_today_is_refused():
    errors = _errors(kind="risk_merchants", start=date(2026, 12, 1), end=date(2026, 12, 8))
    assert errors == {"end": ["The period cannot end after today (2026-12-07)."]}


def test_a_period_longer_than_a_leap_year_is_refused():
    errors = _errors(kind="annual", start=date(2024, 1, 1), end=date(2025, 1, 1))
    assert errors == {"end": ["A period of this kind is at most 366 days."]}


def test_an_unknown_kind_is_refused_with_the_other_errors():
    errors = _errors(kind="quarterly", start=date(2026, 3, 31), end=date(2026, 3, 1))
    assert errors == {
        "kind": ["Unknown report kind “quarterly”."],
        "end": ["The end of the period is before its start."],
    }
