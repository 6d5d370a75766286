"""The archive in admin: legal holds for leads only, deletion jobs proposed and approved by two leads."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from tests.factories import StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.archive.helpers import expired_month, reports_in
from tests.transactions.helpers import reporting_terminal
from transactions.archive.services import archive_month_run
from transactions.models import DeletionJob, DeletionStatus, LegalHold

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


def test_a_lead_places_a_legal_hold_and_it_is_on_record(client, lead):
    merchant = reporting_terminal().merchant
    client.force_login(lead)
    response = client.post(
        reverse("admin:transactions_legalhold_add"),
        {
            "merchant": merchant.pk,
            "reason": "Court order 2026-17",
            "starts_at_0": "2026-01-01",
            "starts_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.placed_by == lead and hold.merchant == merchant
    assert hold.history.count() == 1


def test_a_case_of_another_merchant_is_a_field_error(client, lead):
    merchant = reporting_terminal().merchant
    alert = AlertFactory()
    client.force_login(lead)
    response = client.post(
        reverse("admin:transactions_legalhold_add"),
        {
            "merchant": merchant.pk,
            "alert": alert.pk,
            "reason": "x",
            "starts_at_0": "2026-01-01",
            "starts_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "This case is not the merchant" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_a_reviewer_does_not_see_legal_holds(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert client.get(reverse("admin:transactions_legalhold_changelist")).status_code == 403
    assert client.get(reverse("admin:transactions_archivemonth_changelist")).status_code == 200


def test_a_lead_proposes_and_another_approves_in_admin(
    client, lead, django_capture_on_commit_callbacks
):
    reports_in(expired_month(), 2)
    archive_month_run(month=expired_month())
    client.force_login(lead)
    response = client.post(reverse("admin:transactions_deletionjob_propose"))
    job = DeletionJob.objects.get()
    assert response.status_code == 302 and job.proposed_by == lead
    assert (
        client.get(reverse("admin:transactions_deletionjob_change", args=[job.pk])).status_code
        == 200
    )

    approve = {"action": "approve", "_selected_action": [job.pk]}
    client.post(reverse("admin:transactions_deletionjob_changelist"), approve)
    job.refresh_from_db()
    assert job.status == DeletionStatus.PROPOSED  # the proposer cannot

    client.force_login(StaffFactory(groups=["compliance lead"]))
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("admin:transactions_deletionjob_changelist"), approve)
    job.refresh_from_db()
    assert job.status == DeletionStatus.APPROVED


def test_the_beat_schedules_exist():
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "transactions.tasks.archive_due_months",
        "transactions.tasks.archive_verify",
        "transactions.tasks.archive_propose_deletion",
    } <= tasks


def test_the_archive_tasks_go_to_the_export_queue():
    from portal.celery import app

    for name in (
        "archive_due_months",
        "archive_verify",
        "archive_propose_deletion",
        "archive_run_deletion",
    ):
        assert app.amqp.router.route({}, f"transactions.tasks.{name}")["queue"].name == "export"


def test_a_lead_releases_a_hold_with_a_reason(client, lead):
    from transactions.archive.holds import legal_hold_place

    hold = legal_hold_place(merchant=reporting_terminal().merchant, actor=lead, reason="court")
    client.force_login(lead)
    url = reverse("admin:transactions_legalhold_changelist")
    asked = client.post(url, {"action": "release", "_selected_action": [hold.pk]})
    assert asked.status_code == 200  # the reason page
    hold.refresh_from_db()
    assert hold.released_at is None

    client.post(
        url,
        {"action": "release", "_selected_action": [hold.pk], "apply": "1", "reason": "Case closed"},
    )
    hold.refresh_from_db()
    assert hold.released_by == lead and hold.release_reason == "Case closed"
    assert hold.history.count() == 2
