"""The check-in: where the inspector stood, how far from the premises and from each terminal,
flagged beyond the radius; premises without coordinates take the first check-in's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from merchants.models import InspectionStatus, InspectionTransition
from merchants.risk.inspections.services import inspection_assign, inspection_check_in
from portal.common.statemachine import TransitionNotAllowed
from tests.factories import StaffFactory, TerminalFactory
from tests.merchants.risk.inspections.helpers import (
    PREMISES,
    InspectionFactory,
    checked_in,
    inspector,
    lead,
    located,
)

pytestmark = pytest.mark.django_db

# About 1.1 km north of the premises (0.01° of latitude).
NORTH = (PREMISES[0] + Decimal("0.01"), PREMISES[1])


def test_at_the_premises_the_distance_is_small_and_not_flagged():
    inspection = InspectionFactory(merchant=located(InspectionFactory.build().merchant))
    inspection = checked_in(inspection, at=(Decimal("31.236200"), Decimal("121.506058")))
    assert inspection.status == InspectionStatus.CHECKED_IN
    assert 25 <= inspection.check_in_metres <= 35  # 0.000271° of latitude ≈ 30 m
    assert inspection.check_in_far is False


def test_beyond_the_radius_the_check_in_is_flagged(settings):
    settings.INSPECTION_RADIUS_M = 500
    inspection = InspectionFactory(merchant=located(InspectionFactory.build().merchant))
    inspection = checked_in(inspection, at=NORTH)
    assert 1100 <= inspection.check_in_metres <= 1120
    assert inspection.check_in_far is True


def test_the_radius_is_a_setting(settings):
    settings.INSPECTION_RADIUS_M = 2000
    inspection = InspectionFactory(merchant=located(InspectionFactory.build().merchant))
    assert checked_in(inspection, at=NORTH).check_in_far is False


def test_each_terminal_in_use_is_measured_from_the_check_in():
    inspection = InspectionFactory(merchant=located(InspectionFactory.build().merchant))
    here = TerminalFactory(merchant=inspection.merchant, active=True)
    away = TerminalFactory(merchant=inspection.merchant, active=True, latitude=Decimal("31.300000"))
    TerminalFactory(merchant=inspection.merchant)  # pending: not in use, not measured
    rows = {row["terminal"]: row for row in checked_in(inspection).terminal_distances}
    assert set(rows) == {here.pk, away.pk}
    assert rows[here.pk]["metres"] == 0 and rows[here.pk]["far"] is False
    assert rows[away.pk]["metres"] > 7000 and rows[away.pk]["far"] is True
    assert rows[away.pk]["tid"] == away.tid


def test_premises_without_coordinates_take_the_first_check_in_on_the_merchant_s_record():
    inspection = InspectionFactory()
    assert not inspection.merchant.premises_located
    inspection = checked_in(inspection, at=NORTH)
    merchant = inspection.merchant
    merchant.refresh_from_db()
    assert (merchant.premises_latitude, merchant.premises_longitude) == NORTH
    assert inspection.check_in_metres == 0
    record = merchant.history.first()
    assert f"inspection #{inspection.pk}" in record.history_change_reason


def test_bad_coordinates_are_refused_by_field():
    inspection = inspection_assign(
        inspection=InspectionFactory(), actor=lead(), assignee=(who := inspector())
    )
    with pytest.raises(ValidationError) as refused:
        inspection_check_in(inspection=inspection, actor=who, latitude="91", longitude="abc")
    assert set(refused.value.message_dict) == {"latitude", "longitude"}
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ASSIGNED


def test_only_the_inspector_assigned_checks_in():
    inspection = inspection_assign(
        inspection=InspectionFactory(), actor=lead(), assignee=inspector()
    )
    other = inspector("other")
    with pytest.raises(TransitionNotAllowed, match="inspector assigned"):
        inspection_check_in(
            inspection=inspection, actor=other, latitude=PREMISES[0], longitude=PREMISES[1]
        )


def test_staff_without_the_permission_cannot_check_in():
    nobody = StaffFactory(username="clerk")
    inspection = InspectionFactory(status=InspectionStatus.ASSIGNED, assignee=nobody)
    with pytest.raises(PermissionDenied):
        inspection_check_in(
            inspection=inspection, actor=nobody, latitude=PREMISES[0], longitude=PREMISES[1]
        )


def test_an_unassigned_task_cannot_be_checked_in():
    with pytest.raises(TransitionNotAllowed, match="Cannot check in"):
        inspection_check_in(
            inspection=InspectionFactory(),
            actor=inspector(),
            latitude=PREMISES[0],
            longitude=PREMISES[1],
        )


def test_only_a_lead_assigns_and_only_to_an_inspector():
    inspection = InspectionFactory()
    with pytest.raises(PermissionDenied):
        inspection_assign(inspection=inspection, actor=inspector(), assignee=inspector("b"))
    with pytest.raises(ValidationError, match="conducts inspections"):
        inspection_assign(
            inspection=inspection, actor=lead(), assignee=StaffFactory(username="clerk")
        )


def test_each_step_is_on_record():
    inspection = checked_in()
    steps = list(
        InspectionTransition.objects.filter(inspection=inspection).values_list(
            "from_status", "to_status", "actor__username"
        )
    )
    assert steps == [
        ("scheduled", "assigned", "lead"),
        ("assigned", "checked_in", "inspector"),
    ]


def test_premises_coordinates_go_in_pairs():
    from tests.factories import MerchantFactory

    merchant = MerchantFactory(approved=True, premises_latitude=Decimal("31.2"))
    with pytest.raises(ValidationError) as refused:
        merchant.full_clean()
    assert "premises_longitude" in refused.value.message_dict
