"""The batch file's progress partial: polled while the file is processed, quiet once it is finished."""

import pytest
from django.urls import reverse

from merchants.models import Role
from tests.factories import MembershipFactory
from tests.transactions.helpers import reporting_terminal
from transactions.models import ReportUpload, UploadStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    terminal = reporting_terminal()
    client.force_login(MembershipFactory(merchant=terminal.merchant, role=Role.OWNER).user)
    client.merchant = terminal.merchant
    return client


def _poll(client, upload):
    url = reverse("transactions:upload_detail", args=[upload.pk])
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_partial_keeps_polling_and_shows_rows_and_percent_while_processing(owner_client):
    upload = ReportUpload.objects.create(
        merchant=owner_client.merchant,
        original_name="x.csv",
        status=UploadStatus.PROCESSING,
        total_rows=8,
        processed_rows=2,
    )
    html = _poll(owner_client, upload)
    assert 'hx-trigger="every 1s"' in html and 'aria-busy="true"' in html
    assert "2 of 8 rows" in html and "25 %" in html
    assert "hx-swap-oob" not in html


def test_finished_partial_stops_polling_and_announces_the_outcome_once(owner_client):
    upload = ReportUpload.objects.create(
        merchant=owner_client.merchant,
        original_name="x.csv",
        status=UploadStatus.DONE,
        total_rows=3,
        processed_rows=3,
        accepted=2,
        rejected=1,
    )
    html = _poll(owner_client, upload)
    assert "hx-get" not in html and "aria-busy" not in html
    assert 'id="upload-announce" hx-swap-oob="innerHTML"' in html
    assert "Done: 2 accepted, 0 duplicates, 1 rejected." in html


def test_queued_file_says_it_waits_for_a_worker(owner_client):
    upload = ReportUpload.objects.create(merchant=owner_client.merchant, original_name="x.csv")
    page = owner_client.get(reverse("transactions:upload_detail", args=[upload.pk]))
    assert "Waiting for a worker to start" in page.content.decode()
    assert 'role="status"' in page.content.decode()
