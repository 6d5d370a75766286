"""Regulator reports in admin: leads ask and download, reviewers cannot; bad periods are form
errors; the page shows the figures, and says when a section has no data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import StaffFactory
from tests.transactions.exchange.regulator.helpers import march_data
from transactions.models import ExportStatus, RegulatorReport

pytestmark = pytest.mark.django_db

ADD = reverse("admin:transactions_regulatorreport_add")
LIST = reverse("admin:transactions_regulatorreport_changelist")


def _download(report, fmt):
    return reverse("admin:transactions_regulatorreport_download", args=[report.pk, fmt])


@pytest.fixture
def lead(client):
    user = StaffFactory(groups=["compliance lead"])
    client.force_login(user)
    return user


def _ask(client, capture, **data):
    with capture(execute=True):
        return client.post(ADD, data)


def test_a_lead_asks_for_a_report_and_reads_its_figures(
    client, lead, django_capture_on_commit_callbacks
):
    march_data()
    assert client.get(ADD).status_code == 200
    response = _ask(
        client,
        django_capture_on_commit_callbacks,
        kind="annual",
        start="2026-03-01",
        end="2026-03-31",
    )
    report = RegulatorReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:transactions_regulatorreport_change", args=[report.pk])
    assert (report.status, report.requested_by) == (ExportStatus.DONE, lead)
    page = client.get(response.url).content.decode()
    assert "Merchants by risk level and region" in page
    assert "Volumes by payment method and type" in page
    assert "155.65" in page
    # Inspections: none on record, so the section says so.
    assert "Inspections done</h3><p>No data for this period.</p>" in page
    assert _download(report, "xlsx") in page
    assert _download(report, "csv") in page
    # A record: no save, no delete.
    assert 'name="_save"' not in page
    assert "deletelink" not in page


def test_a_lead_downloads_both_files(client, lead, django_capture_on_commit_callbacks):
    _ask(
        client,
        django_capture_on_commit_callbacks,
        kind="risk_merchants",
        start="2026-03-01",
        end="2026-03-31",
    )
    report = RegulatorReport.objects.get()
    xlsx = client.get(_download(report, "xlsx"))
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment")
    assert "no-store" in xlsx["Cache-Control"]
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    zipped = client.get(_download(report, "csv"))
    assert zipped["Content-Type"] == "application/zip"
    assert client.get(_download(report, "pdf")).status_code == 404


def test_an_empty_period_page_says_no_data_in_every_section(
    client, lead, django_capture_on_commit_callbacks
):
    _ask(
        client,
        django_capture_on_commit_callbacks,
        kind="annual",
        start="2025-01-01",
        end="2025-12-31",
    )
    report = RegulatorReport.objects.get()
    page = client.get(reverse("admin:transactions_regulatorreport_change", args=[report.pk]))
    assert page.content.decode().count("No data for this period.") == 7


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "annual", "start": "2026-03-31", "end": "2026-03-01"},
            "end",
            "The end of the period is before its start.",
        ),
        (
            {"kind": "annual", "start": "2026-01-01", "end": "2099-12-31"},
            "end",
            "The period cannot end after today",
        ),
        (
            {"kind": "annual", "start": "2024-01-01", "end": "2025-06-30"},
            "end",
            "A period of this kind is at most 366 days.",
        ),
        (
            {"kind": "quarterly", "start": "2026-03-01", "end": "2026-03-31"},
            "kind",
            "Select a valid choice.",
        ),
        ({"kind": "annual", "start": "2026-13-01", "end": "2026-03-31"}, "start", "valid date"),
    ],
)
def test_bad_input_is_a_form_error_and_records_nothing(client, lead, data, field, message):
    response = client.post(ADD, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not RegulatorReport.objects.exists()


def test_a_reviewer_can_neither_ask_nor_see_nor_download(
    client, django_capture_on_commit_callbacks
):
    lead = StaffFactory(groups=["compliance lead"])
    client.force_login(lead)
    _ask(
        client,
        django_capture_on_commit_callbacks,
        kind="annual",
        start="2026-03-01",
        end="2026-03-31",
    )
    report = RegulatorReport.objects.get()
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    assert client.get(ADD).status_code == 403
    assert (
        client.post(ADD, {"kind": "annual", "start": "2026-03-01", "end": "2026-03-31"}).status_code
        == 403
    )
    assert client.get(LIST).status_code == 403
    change = reverse("admin:transactions_regulatorreport_change", args=[report.pk])
    assert client.get(change).status_code in (302, 403)
    assert client.get(_download(report, "xlsx")).status_code == 403
    assert RegulatorReport.objects.count() == 1


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    report = RegulatorReport.objects.create(
        kind="annual", start="2026-03-01", end="2026-03-31", language="en"
    )
    response = client.get(_download(report, "xlsx"))
    assert response.status_code == 302
    assert "login" in response.url


def test_the_list_shows_progress_and_files(client, lead, django_capture_on_commit_callbacks):
    _ask(
        client,
        django_capture_on_commit_callbacks,
        kind="annual",
        start="2026-03-01",
        end="2026-03-31",
    )
    queued = RegulatorReport.objects.create(
        kind="risk_merchants",
        start="2026-03-01",
        end="2026-03-31",
        language="en",
        sections_total=1,
    )
    page = client.get(LIST).content.decode()
    assert "7 of 7 sections (100%)" in page
    assert "0 of 1 sections (0%)" in page
    assert _download(queued, "xlsx") not in page
