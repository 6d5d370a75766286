"""The merchant fills in its application in the browser (Django test client)."""

import pytest
from django.urls import reverse

from merchants.models import ApplicationStatus, DocumentKind, Merchant, Role
from tests.factories import (
    MembershipFactory,
    MerchantFactory,
    make_id_number,
    make_uscc,
    pdf_upload,
    png_upload,
)

pytestmark = pytest.mark.django_db

GOOD = {
    "legal_name": "杭州西湖茶庄有限公司",
    "short_name": "西湖茶庄",
    "uscc": make_uscc(42),
    "mcc": "5812",
    "legal_rep_name": "王五",
    "legal_rep_id_number": make_id_number(42),
    "registered_province": "33",
    "registered_city": "杭州市",
    "registered_district": "西湖区",
    "registered_address": "龙井路1号",
    "business_province": "33",
    "business_city": "杭州市",
    "business_district": "西湖区",
    "business_address": "龙井路1号",
    "contact_name": "王五",
    "contact_phone": "13900139000",
    "contact_email": "tea@example.com",
    "bank_name": "中国建设银行",
    "bank_account_holder": "杭州西湖茶庄有限公司",
    "bank_account_number": "6217 0000 1234 5678 901",
}


@pytest.fixture
def owner_client(client):
    merchant = MerchantFactory(
        legal_name="",
        uscc="",
        bank_account_number="",
        bank_account_last4="",
        legal_rep_id_masked="",
    )
    client.force_login(MembershipFactory(merchant=merchant, role=Role.OWNER).user)
    client.merchant = merchant
    return client


def test_good_application_is_saved_with_sensitive_numbers_protected(owner_client):
    response = owner_client.post(reverse("merchants:application"), GOOD)
    assert response.status_code == 302
    merchant = Merchant.objects.get(pk=owner_client.merchant.pk)
    assert merchant.legal_name == "杭州西湖茶庄有限公司"
    assert merchant.contact_phone == "+8613900139000"
    assert (
        merchant.legal_rep_id_masked
        == GOOD["legal_rep_id_number"][:6] + "********" + GOOD["legal_rep_id_number"][-4:]
    )
    assert merchant.bank_account_number == "6217000012345678901"
    assert merchant.bank_account_last4 == "8901"
    page = owner_client.get(reverse("merchants:application")).content.decode()
    assert "6217000012345678901" not in page
    assert GOOD["legal_rep_id_number"] not in page
    assert "**** **** **** 8901" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("uscc", "91110000600037341X"),
        ("mcc", "0001"),
        ("legal_rep_id_number", "110105194912310021"),
        ("contact_phone", "12345"),
        ("contact_email", "not-an-email"),
        ("bank_account_number", "12-34"),
        ("registered_province", "99"),
    ],
)
def test_bad_value_gets_a_field_error_and_nothing_is_saved(owner_client, field, value):
    response = owner_client.post(reverse("merchants:application"), {**GOOD, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Merchant.objects.get(pk=owner_client.merchant.pk).legal_name == ""


def test_viewer_cannot_change_the_application(client):
    merchant = MerchantFactory()
    client.force_login(MembershipFactory(merchant=merchant, role=Role.VIEWER).user)
    response = client.post(reverse("merchants:application"), GOOD)
    assert response.status_code == 403


def test_application_is_frozen_once_submitted(client):
    merchant = MerchantFactory(status=ApplicationStatus.SUBMITTED)
    client.force_login(MembershipFactory(merchant=merchant).user)
    assert client.get(reverse("merchants:application")).context["form"] is None
    assert client.post(reverse("merchants:application"), GOOD).status_code == 403


def test_document_upload_is_stored(owner_client):
    response = owner_client.post(
        reverse("merchants:document_upload"),
        {"kind": DocumentKind.BUSINESS_LICENCE, "file": pdf_upload()},
    )
    assert response.status_code == 302
    document = owner_client.merchant.documents.get()
    assert (document.content_type, document.original_name) == ("application/pdf", "licence.pdf")


def test_uploading_the_same_kind_again_replaces_it(owner_client):
    url = reverse("merchants:document_upload")
    owner_client.post(url, {"kind": DocumentKind.BUSINESS_LICENCE, "file": pdf_upload()})
    owner_client.post(url, {"kind": DocumentKind.BUSINESS_LICENCE, "file": png_upload("new.png")})
    assert list(owner_client.merchant.documents.values_list("original_name", flat=True)) == [
        "new.png"
    ]


def test_document_of_the_wrong_type_is_refused_with_a_message(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("licence.pdf", b"<html>not a pdf</html>")
    response = owner_client.post(
        reverse("merchants:document_upload"),
        {"kind": DocumentKind.BUSINESS_LICENCE, "file": bad},
        follow=True,
    )
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert not owner_client.merchant.documents.exists()


def test_submit_from_the_portal_moves_to_submitted(client):
    merchant = MerchantFactory(with_documents=True)
    client.force_login(MembershipFactory(merchant=merchant).user)
    response = client.post(reverse("merchants:submit"))
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.status == ApplicationStatus.SUBMITTED


def test_submitting_an_incomplete_application_says_what_is_missing(client):
    merchant = MerchantFactory()  # no documents
    client.force_login(MembershipFactory(merchant=merchant).user)
    response = client.post(reverse("merchants:submit"), follow=True)
    assert "Business licence" in response.content.decode()
    merchant.refresh_from_db()
    assert merchant.status == ApplicationStatus.DRAFT


def test_overview_shows_the_reviewers_reason(client):
    from merchants.models import ApplicationTransition

    merchant = MerchantFactory(status=ApplicationStatus.INFO_REQUESTED)
    ApplicationTransition.objects.create(
        merchant=merchant,
        from_status=ApplicationStatus.UNDER_REVIEW,
        to_status=ApplicationStatus.INFO_REQUESTED,
        reason="Please upload a clearer licence scan",
    )
    client.force_login(MembershipFactory(merchant=merchant).user)
    page = client.get(reverse("merchants:overview")).content.decode()
    assert "Please upload a clearer licence scan" in page


def test_staff_without_a_merchant_are_sent_to_admin(client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    response = client.get(reverse("merchants:overview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
