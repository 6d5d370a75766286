"""``inspections_done``: completed inspections by outcome, on the Beijing day of completion."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from merchants.models import Inspection, InspectionKind, InspectionStatus
from merchants.risk.inspections.selectors import inspections_done
from portal.common.beijing import SHANGHAI
from tests.merchants.risk.inspections.helpers import InspectionFactory

pytestmark = pytest.mark.django_db


def _done(outcome: str, at: datetime, **fields) -> Inspection:
    return InspectionFactory(
        status=InspectionStatus.COMPLETED, outcome=outcome, completed_at=at, **fields
    )


def test_counts_by_outcome_with_every_outcome_a_key():
    _done("pass", datetime(2026, 11, 3, 10, tzinfo=SHANGHAI))
    _done("pass", datetime(2026, 11, 4, 10, tzinfo=SHANGHAI), kind=InspectionKind.PHOTOS)
    _done("fail", datetime(2026, 11, 30, 10, tzinfo=SHANGHAI))
    assert inspections_done(date(2026, 11, 1), date(2026, 11, 30)) == {
        "pass": 2,
        "remediation": 0,
        "fail": 1,
    }


def test_the_day_is_beijing_s_and_both_ends_are_included():
    # 23:30 UTC on 31 Oct is 07:30 on 1 Nov in Beijing; 16:30 UTC on 30 Nov is 00:30 on 1 Dec.
    from datetime import UTC

    _done("pass", datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    _done("remediation", datetime(2026, 11, 30, 15, 59, tzinfo=UTC))
    _done("fail", datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    _done("fail", datetime(2026, 10, 31, 15, 59, tzinfo=UTC))
    assert inspections_done(date(2026, 11, 1), date(2026, 11, 30)) == {
        "pass": 1,
        "remediation": 1,
        "fail": 0,
    }


def test_open_and_cancelled_inspections_are_not_counted():
    InspectionFactory(status=InspectionStatus.CHECKED_IN)
    InspectionFactory(status=InspectionStatus.CANCELLED, outcome="")
    assert inspections_done(date(2000, 1, 1), date(2100, 1, 1)) == {
        "pass": 0,
        "remediation": 0,
        "fail": 0,
    }
