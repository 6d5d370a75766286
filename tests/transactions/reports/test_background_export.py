"""Excel exports over EXPORT_BACKGROUND_ROWS: built by a worker, followed, downloaded, expired."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.factories import MembershipFactory
from tests.transactions.report_factories import make_reports, signed_in_shop
from transactions.models import ExportStatus, ReportExport
from transactions.reports.background import report_export_build, report_exports_expire

pytestmark = pytest.mark.django_db

XLSX_URL = reverse("transactions:report_export_xlsx")


@pytest.fixture
def shop(client, settings) -> dict[str, Any]:
    settings.EXPORT_BACKGROUND_ROWS = 3
    shop = signed_in_shop(client)
    make_reports(shop["terminal"], 5)
    return shop


def _workbook(response: Any) -> list[tuple[Any, ...]]:
    body = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))


def test_a_small_excel_export_still_comes_at_once(client, shop, settings):
    settings.EXPORT_BACKGROUND_ROWS = 5
    response = client.get(XLSX_URL)
    assert response.status_code == 200
    assert len(_workbook(response)) == 6
    assert not ReportExport.objects.exists()


def test_a_big_one_is_built_in_the_background_and_downloaded(
    client, shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.get(XLSX_URL)
    assert len(queued) == 1  # the task is queued once the export's row is committed
    export = ReportExport.objects.get()
    assert response.url == reverse("transactions:report_export_detail", args=[export.pk])
    # The suite runs tasks eagerly: the workbook was built as the request committed.
    response = client.get(response.url)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert (export.total_rows, export.written_rows) == (5, 5)
    assert export.requested_by == shop["user"]
    assert b'data-testid="export-download"' in response.content
    download = client.get(reverse("transactions:report_export_download", args=[export.pk]))
    assert download["Cache-Control"] == "private, no-store"
    rows = _workbook(download)
    assert len(rows) == 6
    assert rows[0][0] == "Id"
    assert sorted(row[6] for row in rows[1:]) == [1, 2, 3, 4, 5]


def test_the_filters_and_the_language_of_the_request_are_kept(client, shop):
    with translation.override("zh-hans"):
        export = ReportExport.objects.create(
            merchant=shop["merchant"], query="amount_min=4", language="zh-hans", total_rows=2
        )
    export = report_export_build(export_id=export.pk)
    with export.file.open("rb") as stored:
        rows = list(load_workbook(stored, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][1] == "时间（北京时间）"
    assert sorted(row[6] for row in rows[1:]) == [4, 5]


def test_filters_that_no_longer_read_fail_the_export_with_a_message(shop):
    export = ReportExport.objects.create(
        merchant=shop["merchant"], query="amount_min=lots", language="en"
    )
    export = report_export_build(export_id=export.pk)
    assert export.status == ExportStatus.FAILED
    assert "no longer valid" in export.error
    assert not export.file


def test_building_again_after_it_is_done_changes_nothing(shop):
    export = ReportExport.objects.create(merchant=shop["merchant"], language="en")
    first = report_export_build(export_id=export.pk)
    again = report_export_build(export_id=export.pk)
    assert again.file.name == first.file.name and again.status == ExportStatus.DONE


def test_another_merchants_member_cannot_see_or_download_it(client, shop):
    client.get(XLSX_URL)
    export = ReportExport.objects.get()
    other = signed_in_shop(client)
    assert other["merchant"] != shop["merchant"]
    for name in ("report_export_detail", "report_export_download"):
        assert client.get(reverse(f"transactions:{name}", args=[export.pk])).status_code == 404
    page = client.get(reverse("transactions:report_exports"))
    assert page.context["exports"].count() == 0


def test_a_colleague_at_the_same_merchant_sees_it(client, shop):
    client.get(XLSX_URL)
    colleague = MembershipFactory(merchant=shop["merchant"], role="viewer").user
    client.force_login(colleague)
    page = client.get(reverse("transactions:report_exports"))
    assert [e.pk for e in page.context["exports"]] == [ReportExport.objects.get().pk]


def test_an_expired_export_is_gone_and_says_so(
    client, shop, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get(XLSX_URL)
    export = ReportExport.objects.get()
    name = export.file.name
    assert export.file.storage.exists(name)
    later = timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS, minutes=1)
    assert report_exports_expire(now=later) == 1
    export.refresh_from_db()
    assert not export.file and not export.file.storage.exists(name)
    ReportExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    response = client.get(reverse("transactions:report_export_download", args=[export.pk]))
    assert response.status_code == 410
    assert b'data-testid="export-expired"' in response.content
    assert report_exports_expire(now=later) == 0


def test_bad_filters_are_refused_before_anything_is_queued(client, shop):
    response = client.get(XLSX_URL, {"amount_min": "lots"})
    assert response.status_code == 400
    assert not ReportExport.objects.exists()
