"""A user of one merchant never reaches another merchant's data: its ids give 404."""

import pytest
from django.urls import reverse

from merchants.models import InspectionKind, Membership, Role, Terminal, TerminalKey
from merchants.risk.inspections.services import photo_request_submit
from merchants.terminals.services import terminal_key_issue
from tests.factories import (
    MembershipFactory,
    MerchantDocumentFactory,
    MerchantFactory,
    StaffFactory,
    TerminalFactory,
)
from tests.merchants.risk.inspections.helpers import InspectionFactory, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim():
    merchant = MerchantFactory(approved=True)
    owner = MembershipFactory(merchant=merchant, role=Role.OWNER)
    colleague = MembershipFactory(merchant=merchant, role=Role.STAFF)
    terminal = TerminalFactory(merchant=merchant, active=True)
    key, _secret = terminal_key_issue(terminal=terminal)
    document = MerchantDocumentFactory(merchant=merchant)
    photos = photo_request_submit(
        inspection=InspectionFactory(merchant=merchant, kind=InspectionKind.PHOTOS),
        actor=owner.user,
        uploads=[upload(png_bytes(), "shop.png", "image/png")],
    )
    return {
        "inspection": photos,
        "photo": photos.photos.get(),
        "owner": owner,
        "colleague": colleague,
        "terminal": terminal,
        "key": key,
        "document": document,
    }


@pytest.fixture
def intruder(client):
    """The owner of another approved merchant: the most rights a merchant user can have."""
    membership = MembershipFactory(merchant=MerchantFactory(approved=True), role=Role.OWNER)
    client.force_login(membership.user)
    return client


def _urls(v):
    t, k, c = v["terminal"], v["key"], v["colleague"]
    return [
        ("get", reverse("merchants:terminal_detail", args=[t.pk])),
        ("post", reverse("merchants:terminal_key_rotate", args=[t.pk])),
        ("post", reverse("merchants:terminal_key_revoke", args=[t.pk, k.pk])),
        ("post", reverse("merchants:member_role", args=[c.pk])),
        ("post", reverse("merchants:member_remove", args=[c.pk])),
        ("get", reverse("merchants:document_download", args=[v["document"].pk])),
        ("post", reverse("merchants:inspection_photos_submit", args=[v["inspection"].pk])),
        ("get", reverse("merchants:inspection_photo", args=[v["photo"].pk])),
    ]


def test_every_id_of_another_merchant_is_404(intruder, victim):
    for method, url in _urls(victim):
        response = getattr(intruder, method)(url, {"role": "owner"} if "role" in url else {})
        assert response.status_code == 404, url


def test_nothing_changed_after_the_attempts(intruder, victim):
    for method, url in _urls(victim):
        getattr(intruder, method)(url, {"role": "owner"} if "role" in url else {})
    assert TerminalKey.objects.get(pk=victim["key"].pk).revoked_at is None
    assert TerminalKey.objects.filter(terminal=victim["terminal"]).count() == 1
    assert Membership.objects.get(pk=victim["colleague"].pk).role == Role.STAFF
    assert victim["inspection"].photos.count() == 1


def test_list_pages_show_only_own_data(intruder, victim):
    pages = [
        "merchants:overview",
        "merchants:application",
        "merchants:terminals",
        "merchants:members",
        "merchants:risk_level",
        "merchants:inspections",
    ]
    for name in pages:
        html = intruder.get(reverse(name)).content.decode()
        assert victim["terminal"].serial_number not in html, name
        assert victim["owner"].user.username not in html, name
        assert victim["owner"].merchant.legal_name not in html, name


def test_own_document_downloads(client, victim):
    client.force_login(victim["owner"].user)
    response = client.get(reverse("merchants:document_download", args=[victim["document"].pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_compliance_staff_can_download_documents(client, victim):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    response = client.get(reverse("merchants:document_download", args=[victim["document"].pk]))
    assert response.status_code == 200


def test_documents_are_not_served_as_public_media(client, victim):
    assert client.get("/media/" + victim["document"].file.name).status_code == 404


def test_terminal_queryset_is_scoped(victim):
    other = MerchantFactory(approved=True)
    assert not Terminal.objects.for_merchant(other).filter(pk=victim["terminal"].pk).exists()
