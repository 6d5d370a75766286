"""Bad proposals are refused field by field, with the application's validators; nothing is kept."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from merchants.models import ChangeKind, ChangeRequest
from merchants.risk.changes.services import change_request_create
from tests.factories import make_uscc, pdf_upload
from tests.merchants.risk.changes.helpers import ask, owned_merchant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        (ChangeKind.USCC, {"uscc": "91110000600037341X"}, "uscc"),
        (ChangeKind.USCC, {"uscc": "123"}, "uscc"),
        (ChangeKind.MCC, {"mcc": "0000"}, "mcc"),
        (ChangeKind.MCC, {"mcc": "54a1"}, "mcc"),
        (ChangeKind.LEGAL_NAME, {"legal_name": "  "}, "legal_name"),
        (ChangeKind.LEGAL_NAME, {"legal_name": "名" * 201}, "legal_name"),
        (
            ChangeKind.LEGAL_REP,
            {"legal_rep_name": "王五", "legal_rep_id_number": "110105199001011234"},
            "legal_rep_id_number",
        ),
        (
            ChangeKind.SETTLEMENT_ACCOUNT,
            {"bank_name": "中国银行", "bank_account_holder": "x", "bank_account_number": "12ab"},
            "bank_account_number",
        ),
        (
            ChangeKind.REGISTERED_ADDRESS,
            {
                "registered_province": "99",
                "registered_city": "北京市",
                "registered_district": "朝阳区",
                "registered_address": "建国路1号",
            },
            "registered_province",
        ),
        (
            ChangeKind.BUSINESS_ADDRESS,
            {
                "business_province": "11",
                "business_city": "",
                "business_district": "朝阳区",
                "business_address": "建国路1号",
            },
            "business_city",
        ),
    ],
)
def test_a_bad_value_is_a_field_error(kind, data, field):
    merchant, owner = owned_merchant()
    with pytest.raises(ValidationError) as caught:
        ask(merchant, owner, kind, data)
    assert field in caught.value.message_dict
    assert not ChangeRequest.objects.exists()


def test_all_field_errors_come_at_once():
    merchant, owner = owned_merchant()
    data = {"bank_name": "", "bank_account_holder": "", "bank_account_number": "1"}
    with pytest.raises(ValidationError) as caught:
        ask(merchant, owner, ChangeKind.SETTLEMENT_ACCOUNT, data)
    assert set(caught.value.message_dict) == {
        "bank_name",
        "bank_account_holder",
        "bank_account_number",
    }


def test_a_uscc_of_another_merchant_is_refused():
    merchant, owner = owned_merchant()
    other, _ = owned_merchant()
    with pytest.raises(ValidationError) as caught:
        ask(merchant, owner, ChangeKind.USCC, {"uscc": other.uscc})
    assert "uscc" in caught.value.message_dict


def test_a_uscc_is_compacted_like_the_application_does():
    merchant, owner = owned_merchant()
    code = make_uscc(777)
    change = ask(merchant, owner, ChangeKind.USCC, {"uscc": f" {code[:6]} {code[6:]} ".lower()})
    assert change.new_values == {"uscc": code}


def test_documents_are_required():
    merchant, owner = owned_merchant()
    with pytest.raises(ValidationError) as caught:
        ask(merchant, owner, documents=[])
    assert "documents" in caught.value.message_dict


def test_a_document_that_is_not_a_pdf_or_image_by_content_is_refused():
    merchant, owner = owned_merchant()
    fake = SimpleUploadedFile(
        "licence.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as caught:
        ask(merchant, owner, documents=[pdf_upload(), fake])
    assert "licence.pdf" in caught.value.message_dict["documents"][0]
    assert not ChangeRequest.objects.exists()


def test_a_bad_phone_is_a_field_error():
    merchant, owner = owned_merchant()
    with pytest.raises(ValidationError) as caught:
        ask(merchant, owner, contact_phone="12")
    assert "contact_phone" in caught.value.message_dict


def test_an_unknown_kind_is_refused():
    merchant, owner = owned_merchant()
    with pytest.raises(ValidationError):
        change_request_create(
            merchant=merchant, actor=owner, kind="mid", data={}, reason="", documents=[]
        )
