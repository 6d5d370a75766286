"""The demo shows an on-site inspection of shop-sh, assigned to the reviewer, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from merchants.models import Inspection, InspectionStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_schedules_one_inspection_assigned_to_the_reviewer():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    inspection = Inspection.objects.get()
    assert inspection.merchant.memberships.filter(user__username="shop-sh").exists()
    assert (inspection.status, inspection.assignee.username) == (
        InspectionStatus.ASSIGNED,
        "reviewer",
    )
    assert inspection.level  # scheduled after the demo's rating
    assert "inspection of shop-sh" in out.getvalue()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Inspection.objects.count() == 1
