"""The demo's cardholder complaint: filed once, on the cardholder channel, followed by its code."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from transactions.complaints.cardholder.lookup import charge_summary
from transactions.complaints.cardholder.status import plain_status
from transactions.demo.cardholder import (
    DEMO_TRACKING_CODE,
    DEMO_TRACKING_PATH,
    seed_cardholder_complaint,
)
from transactions.models import Complaint, ComplaintChannel, ComplaintStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def test_the_demo_files_a_cardholder_complaint_and_prints_its_code(seeded):
    complaint = Complaint.objects.get(channel=ComplaintChannel.CARDHOLDER)
    assert complaint.merchant.memberships.filter(user__username="shop-bj").exists()
    assert complaint.status == ComplaintStatus.AWAITING_MERCHANT
    assert complaint.created_by is None and complaint.complainant_email == "cardholder@example.cn"
    assert DEMO_TRACKING_CODE in seeded and DEMO_TRACKING_PATH in seeded
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM transactions_complaint")
        assert DEMO_TRACKING_CODE not in str(cursor.fetchall())  # only its hash is stored


def test_a_visitor_follows_it_on_the_tracking_page(seeded, client):
    typed = client.post("/cardholder/track/", {"code": DEMO_TRACKING_CODE})
    assert typed.status_code == 200
    complaint = Complaint.objects.get(channel=ComplaintChannel.CARDHOLDER)
    assert typed.context["code"] == DEMO_TRACKING_CODE
    assert typed.context["charge"] == charge_summary(complaint.report)
    assert typed.context["status"] == plain_status(complaint)
    assert client.get(DEMO_TRACKING_PATH).status_code == 200
    assert client.post("/cardholder/track/", {"code": "demo-cardholder-2025"}).status_code == 404


def test_seeding_again_files_no_second_complaint(seeded):
    assert seed_cardholder_complaint() == 0
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Complaint.objects.filter(channel=ComplaintChannel.CARDHOLDER).count() == 1


def test_nothing_is_filed_without_the_demo_sales():
    assert seed_cardholder_complaint() == 0
    assert not Complaint.objects.exists()


def test_the_readme_documents_the_code():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    assert DEMO_TRACKING_CODE in readme
