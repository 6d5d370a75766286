"""The risk list's admin pages: who may import, what an import shows, recording a check, and the
hit on the merchant's rating."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from merchants.models import RiskListCheck, RiskListEntry, RiskListImport, Role
from tests.factories import MembershipFactory, MerchantFactory, RiskListEntryFactory, make_uscc
from tests.merchants.risk.rating.helpers import rate
from tests.merchants.risk.risklist.helpers import csv_bytes, lead, reviewer

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:merchants_risklistimport_upload")
IMPORTS = reverse("admin:merchants_risklistimport_changelist")


def _file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("名单.csv", data, content_type="text/csv")


def test_a_lead_imports_a_csv_and_sees_the_bad_rows_by_line(client):
    client.force_login(lead())
    data = csv_bytes(f"uscc,{make_uscc(5)},商户黑名单,,", "mid,123,商户黑名单,,", bom=True)
    response = client.post(UPLOAD, {"file": _file(data)}, follow=True)
    record = RiskListImport.objects.get()
    assert response.redirect_chain[-1][0].endswith(f"/{record.pk}/change/")
    html = response.content.decode()
    assert "1 entries added, 0 already listed, 1 bad rows." in html
    assert 'data-testid="risk-list-errors"' in html and "<td>3</td>" in html
    assert RiskListEntry.objects.count() == 1


def test_a_file_that_cannot_be_read_is_refused_on_the_form(client):
    client.force_login(lead())
    response = client.post(UPLOAD, {"file": _file(b"name,number\r\n")})
    assert response.status_code == 200
    assert "kind, value" in response.content.decode()
    assert not RiskListImport.objects.exists()


def test_the_import_link_shows_for_those_who_may_import(client):
    client.force_login(lead())
    assert 'data-testid="risk-list-import-link"' in client.get(IMPORTS).content.decode()
    client.force_login(reviewer())
    page = client.get(IMPORTS)
    assert page.status_code == 200
    assert 'data-testid="risk-list-import-link"' not in page.content.decode()


def test_a_reviewer_may_not_import(client):
    client.force_login(reviewer())
    assert client.get(UPLOAD).status_code == 403
    response = client.post(UPLOAD, {"file": _file(csv_bytes(f"uscc,{make_uscc(5)},x,,"))})
    assert response.status_code == 403
    assert not RiskListEntry.objects.exists()


def test_a_merchant_never_sees_the_list(client):
    RiskListEntryFactory()
    merchant = MerchantFactory(approved=True)
    client.force_login(MembershipFactory(merchant=merchant, role=Role.OWNER).user)
    for url in (
        UPLOAD,
        IMPORTS,
        reverse("admin:merchants_risklistentry_changelist"),
        reverse("admin:merchants_risklistcheck_changelist"),
        reverse("admin:merchants_risklistcheck_record", args=[merchant.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_reviewer_records_a_check_from_the_merchants_page(client):
    merchant = MerchantFactory(approved=True)
    client.force_login(reviewer())
    page = client.get(reverse("admin:merchants_merchant_change", args=[merchant.pk]))
    url = reverse("admin:merchants_risklistcheck_record", args=[merchant.pk])
    assert url in page.content.decode()
    refused = client.post(url, {"result": "hit", "note": ""})
    assert refused.status_code == 200 and not RiskListCheck.objects.exists()
    response = client.post(url, {"result": "hit", "note": "列入黑名单"}, follow=True)
    assert RiskListCheck.objects.get().note == "列入黑名单"
    assert 'data-testid="risk-list-hit"' in response.content.decode()


def test_staff_without_the_permission_may_not_record_a_check(client):
    from tests.factories import StaffFactory

    merchant = MerchantFactory()
    client.force_login(StaffFactory())
    url = reverse("admin:merchants_risklistcheck_record", args=[merchant.pk])
    assert client.post(url, {"result": "hit", "note": "x"}).status_code == 403


def test_a_lead_delists_entries_from_the_list(client):
    entry = RiskListEntryFactory()
    client.force_login(lead())
    client.post(
        reverse("admin:merchants_risklistentry_changelist"),
        {"action": "delist", "_selected_action": [entry.pk]},
    )
    entry.refresh_from_db()
    assert not entry.active


def test_the_rating_page_shows_a_hit(client):
    merchant = MerchantFactory(approved=True)
    RiskListEntryFactory(value=merchant.uscc, source="商户黑名单")
    risk = rate(merchant)
    client.force_login(reviewer())
    html = client.get(reverse("admin:merchants_merchantrisk_change", args=[risk.pk])).content
    html = html.decode()
    assert 'data-testid="risk-list-hit"' in html and "商户黑名单" in html
    assert "External risk-list hits" in html


def test_the_list_pages_load(client):
    entry = RiskListEntryFactory()
    client.force_login(lead())
    for url in (
        reverse("admin:merchants_risklistentry_changelist"),
        reverse("admin:merchants_risklistentry_change", args=[entry.pk]),
        reverse("admin:merchants_risklistcheck_changelist"),
    ):
        assert client.get(url).status_code == 200


def test_an_id_number_typed_in_full_finds_its_entry(client):
    from tests.factories import make_id_number

    number = make_id_number(9)
    entry = RiskListEntryFactory.id_number(number)
    RiskListEntryFactory.id_number(make_id_number(10))
    client.force_login(reviewer())
    response = client.get(reverse("admin:merchants_risklistentry_changelist"), {"q": number})
    assert list(response.context["cl"].result_list) == [entry]
