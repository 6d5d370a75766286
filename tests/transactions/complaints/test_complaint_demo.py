"""The demo seed leaves one complaint awaiting shop-sh's answer and one upheld, once."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from merchants.accounts.groups import sync_staff_groups
from transactions.models import Complaint, ComplaintChannel, ComplaintStatus, ReportAmendment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _groups():
    # A data migration makes them; this test also runs with --no-migrations.
    sync_staff_groups(Group, Permission)


def test_seed_demo_records_the_demo_complaints_once():
    call_command("seed_demo", "--force", stdout=StringIO())
    statuses = sorted(
        Complaint.objects.filter(merchant__memberships__user__username="shop-sh").values_list(
            "status", flat=True
        )
    )
    assert statuses == [ComplaintStatus.AWAITING_MERCHANT, ComplaintStatus.UPHELD]
    assert Complaint.objects.get(status=ComplaintStatus.UPHELD).amendment is not None
    call_command("seed_demo", "--force", stdout=StringIO())
    # shop-bj's cardholder complaint is the third (tests/transactions/demo/test_cardholder_demo.py).
    assert Complaint.objects.filter(channel=ComplaintChannel.STAFF).count() == 2
    assert Complaint.objects.count() == 3 and ReportAmendment.objects.count() == 1
