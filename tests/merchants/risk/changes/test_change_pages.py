"""The merchant's pages: the owner asks (bilingual form, field errors), everyone sees, no one else."""

import pytest
from django.urls import reverse

from merchants.models import ChangeKind, ChangeRequest, ChangeStatus, Role
from tests.factories import PDF_BYTES, MembershipFactory, MerchantFactory
from tests.merchants.risk.changes.helpers import (
    NEW_ACCOUNT,
    approve,
    ask,
    owned_merchant,
    review,
)

pytestmark = pytest.mark.django_db

NEW_URL = reverse("merchants:change_new") + f"?kind={ChangeKind.SETTLEMENT_ACCOUNT.value}"


def _post(client, url=NEW_URL, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = {"documents": SimpleUploadedFile("bank.pdf", PDF_BYTES, "application/pdf")}
    values = {
        "bank_name": "中国银行",
        "bank_account_holder": "新名公司",
        "bank_account_number": NEW_ACCOUNT,
        "reason": "moved bank",
        **data,
    }
    return client.post(url, {**values, **files})


@pytest.fixture
def owner_client(client):
    merchant, owner = owned_merchant()
    client.force_login(owner)
    client.merchant = merchant
    return client


def test_the_owner_asks_and_lands_on_the_request(owner_client):
    response = _post(owner_client)
    change = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("merchants:change_detail", args=[change.pk])
    assert change.status == ChangeStatus.SUBMITTED
    page = owner_client.get(response.url).content.decode()
    assert "**** **** **** 5555" in page and NEW_ACCOUNT not in page


def test_a_bad_account_is_a_field_error_and_keeps_what_was_typed(owner_client):
    response = _post(owner_client, bank_account_number="12-34", bank_name="招商银行")
    assert response.status_code == 400
    form = response.context["form"]
    assert "bank_account_number" in form.errors
    assert 'value="招商银行"' in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_no_change_is_a_form_error(owner_client):
    merchant = owner_client.merchant
    response = _post(
        owner_client,
        bank_name=merchant.bank_name,
        bank_account_holder=merchant.bank_account_holder,
        bank_account_number=merchant.bank_account_number,
    )
    assert response.status_code == 400
    assert "nothing would change" in response.content.decode()


def test_the_form_speaks_chinese(owner_client):
    owner_client.cookies["django_language"] = "zh-hans"
    html = owner_client.get(NEW_URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "变更" in html


def test_an_unknown_kind_is_404(owner_client):
    url = reverse("merchants:change_new")
    assert owner_client.get(url, {"kind": "mid"}).status_code == 404
    assert owner_client.get(url).status_code == 404


def test_the_list_shows_pending_and_decided_masked(owner_client):
    merchant = owner_client.merchant
    owner = merchant.memberships.get().user
    approve(review(ask(merchant, owner, ChangeKind.SETTLEMENT_ACCOUNT)))
    ask(merchant, owner, ChangeKind.MCC)
    html = owner_client.get(reverse("merchants:changes")).content.decode()
    assert "Approved and applied" in html and "Submitted" in html
    assert "**** **** **** 5555" in html and NEW_ACCOUNT not in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_other_members_see_but_cannot_ask(client, role):
    merchant, owner = owned_merchant()
    change = ask(merchant, owner)
    member = MembershipFactory(merchant=merchant, role=role)
    client.force_login(member.user)
    assert client.get(reverse("merchants:changes")).status_code == 200
    assert client.get(reverse("merchants:change_detail", args=[change.pk])).status_code == 200
    assert client.get(NEW_URL).status_code == 403
    assert _post(client).status_code == 403
    step = reverse("merchants:change_step", args=[change.pk, "withdraw"])
    assert client.post(step).status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED


def test_a_merchant_not_yet_approved_is_sent_to_its_application(client):
    membership = MembershipFactory(merchant=MerchantFactory(), role=Role.OWNER)
    client.force_login(membership.user)
    response = client.get(NEW_URL)
    assert response.url == reverse("merchants:application")


def test_withdraw_from_the_page(owner_client):
    _post(owner_client)
    change = ChangeRequest.objects.get()
    url = reverse("merchants:change_step", args=[change.pk, "withdraw"])
    owner_client.post(url, {"note": "typo"})
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN


def test_only_resubmit_and_withdraw_are_taken_from_the_portal(owner_client):
    _post(owner_client)
    change = ChangeRequest.objects.get()
    for name in ("approve", "start_review"):
        url = reverse("merchants:change_step", args=[change.pk, name])
        assert owner_client.post(url).status_code == 404
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED


def test_another_merchants_requests_are_404(owner_client):
    victim, victim_owner = owned_merchant()
    change = ask(victim, victim_owner)
    document = change.documents.get()
    urls = [
        ("get", reverse("merchants:change_detail", args=[change.pk])),
        ("post", reverse("merchants:change_step", args=[change.pk, "withdraw"])),
        ("post", reverse("merchants:change_document_upload", args=[change.pk])),
        ("get", reverse("merchants:change_document_download", args=[document.pk])),
    ]
    for method, url in urls:
        assert getattr(owner_client, method)(url).status_code == 404, url
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED
    html = owner_client.get(reverse("merchants:changes")).content.decode()
    assert f"#{change.pk}<" not in html


def test_an_approved_merchants_application_cannot_be_posted(owner_client):
    merchant = owner_client.merchant
    response = owner_client.post(
        reverse("merchants:application"), {"legal_name": "改名", "mcc": "5812"}
    )
    assert response.status_code == 403
    merchant.refresh_from_db()
    assert merchant.legal_name != "改名" and merchant.mcc == "5411"


def test_an_approved_merchants_application_page_links_to_change_requests(owner_client):
    html = owner_client.get(reverse("merchants:application")).content.decode()
    assert reverse("merchants:changes") in html
    assert '<form method="post" class="card grid-form"' not in html
