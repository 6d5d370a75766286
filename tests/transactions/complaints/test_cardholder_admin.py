"""Staff see the cardholder's complaints in the same queue, by channel, and counted on the overview."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.transactions.complaint_factories import ComplaintFactory, reviewer
from transactions.models import ComplaintChannel, ComplaintStatus

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:transactions_complaint_changelist")
OVERVIEW = reverse("admin:transactions_complianceoverview_changelist")


@pytest.fixture
def staff(client):
    user = reviewer()
    client.force_login(user)
    return user


def test_the_queue_shows_the_channel_and_filters_by_it(client, staff):
    mine = ComplaintFactory(channel=ComplaintChannel.CARDHOLDER)
    ComplaintFactory(channel=ComplaintChannel.STAFF)
    response = client.get(QUEUE, {"channel__exact": "cardholder"})
    assert list(response.context["cl"].result_list) == [mine]
    assert "column-channel" in response.content.decode()
    assert list(client.get(QUEUE).context["cl"].result_list) != [mine]


def test_the_complaint_page_shows_its_channel(client, staff):
    complaint = ComplaintFactory(channel=ComplaintChannel.CARDHOLDER)
    response = client.get(reverse("admin:transactions_complaint_change", args=[complaint.pk]))
    assert "Cardholder" in response.content.decode()


def test_the_overview_counts_complaints_by_channel(client, staff):
    ComplaintFactory(channel=ComplaintChannel.CARDHOLDER)
    ComplaintFactory(channel=ComplaintChannel.CARDHOLDER, status=ComplaintStatus.WITHDRAWN)
    ComplaintFactory(
        channel=ComplaintChannel.CARDHOLDER,
        status=ComplaintStatus.UPHELD,
        resolved_at=timezone.now(),
    )
    ComplaintFactory(channel=ComplaintChannel.STAFF)
    ComplaintFactory(channel=ComplaintChannel.STAFF, created_at=timezone.now() - timedelta(days=40))
    rows = {row.code: row for row in client.get(OVERVIEW).context["overview"].channels}
    assert (rows["cardholder"].received, rows["cardholder"].open, rows["cardholder"].upheld) == (
        3,
        1,
        1,
    )
    assert (rows["staff"].received, rows["staff"].open, rows["staff"].upheld) == (1, 2, 0)


def test_the_overview_shows_every_channel_even_without_complaints(client, staff):
    response = client.get(OVERVIEW)
    assert [row.code for row in response.context["overview"].channels] == ["staff", "cardholder"]
    assert 'data-testid="table-channels"' in response.content.decode()
