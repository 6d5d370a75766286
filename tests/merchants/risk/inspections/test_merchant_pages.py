"""The merchant sees its inspection dates and photo requests, hands photos in (refused files are
a form error), and sees its own photos only; never another merchant's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.models import InspectionKind, InspectionPhoto, InspectionStatus, Role
from merchants.risk.inspections.services import photo_request_submit
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory
from tests.merchants.risk.inspections.helpers import (
    InspectionFactory,
    completed,
    jpeg_bytes,
    png_bytes,
    upload,
)

pytestmark = pytest.mark.django_db

RISK = reverse("merchants:risk_level")
PAGE = reverse("merchants:inspections")


def _member(client, merchant=None, role=Role.OWNER):
    merchant = merchant or MerchantFactory(approved=True, fixed_premises=False)
    membership = MembershipFactory(merchant=merchant, role=role)
    client.force_login(membership.user)
    return membership.user


def _photo_request(merchant=None):
    return InspectionFactory(
        merchant=merchant or MerchantFactory(approved=True, fixed_premises=False),
        kind=InspectionKind.PHOTOS,
    )


def test_the_risk_page_shows_the_last_inspection_and_the_next_due_date(client):
    inspection = completed(
        outcome="remediation", findings="x", fix_due=timezone.localdate() + timedelta(days=20)
    )
    _member(client, inspection.merchant, Role.VIEWER)
    html = client.get(RISK).content.decode()
    last = html.split('data-testid="inspection-last">')[1].split("</dd>")[0]
    assert timezone.localdate().isoformat() in last and "Remediation required" in last
    nxt = html.split('data-testid="inspection-next">')[1].split("</dd>")[0]
    assert (timezone.localdate() + timedelta(days=20)).isoformat() in nxt
    assert reverse("merchants:inspections") in html


def test_an_open_photo_request_is_shown_with_its_date(client):
    request = _photo_request()
    _member(client, request.merchant)
    html = client.get(RISK).content.decode()
    assert 'data-testid="photo-request"' in html and request.due_on.isoformat() in html
    page = client.get(PAGE).content.decode()
    assert 'data-testid="photos-form"' in page


def test_the_owner_hands_photos_in(client):
    request = _photo_request()
    owner = _member(client, request.merchant)
    response = client.post(
        reverse("merchants:inspection_photos_submit", args=[request.pk]),
        {
            "photos": [
                upload(jpeg_bytes(gps=(31.2, 121.5)), "front.jpg"),
                upload(png_bytes(), "till.png", "image/png"),
            ]
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == InspectionStatus.PHOTOS_SUBMITTED
    photos = list(request.photos.all())
    assert [p.original_name for p in photos] == ["front.jpg", "till.png"]
    assert all(p.by_merchant and p.uploaded_by == owner for p in photos)
    assert photos[0].latitude is not None
    assert all(p.file.name.startswith(f"inspection-photos/{request.merchant_id}/") for p in photos)
    assert "front" not in photos[0].file.name  # the stored name reveals nothing
    step = request.transitions.get()
    assert (step.to_status, step.actor) == ("photos_submitted", owner)


def test_a_text_file_named_jpg_is_a_form_error_and_nothing_is_stored(client):
    request = _photo_request()
    _member(client, request.merchant)
    response = client.post(
        reverse("merchants:inspection_photos_submit", args=[request.pk]),
        {"photos": [upload(png_bytes(), "ok.png", "image/png"), upload(b"hello" * 50, "shop.jpg")]},
    )
    assert response.status_code == 400
    assert "shop.jpg: Upload a photo: a JPEG or PNG image." in response.content.decode()
    request.refresh_from_db()
    assert request.status == InspectionStatus.SCHEDULED and not InspectionPhoto.objects.exists()


def test_no_file_is_a_form_error(client):
    request = _photo_request()
    _member(client, request.merchant)
    response = client.post(reverse("merchants:inspection_photos_submit", args=[request.pk]), {})
    assert response.status_code == 400


def test_a_viewer_cannot_hand_photos_in(client):
    request = _photo_request()
    _member(client, request.merchant, Role.VIEWER)
    response = client.post(
        reverse("merchants:inspection_photos_submit", args=[request.pk]),
        {"photos": [upload(png_bytes(), "a.png", "image/png")]},
    )
    assert response.status_code == 403
    assert 'data-testid="photos-form"' not in client.get(PAGE).content.decode()


def test_a_merchant_cannot_hand_photos_in_for_another_merchant(client):
    theirs = _photo_request()
    _member(client, MerchantFactory(approved=True, fixed_premises=False))
    response = client.post(
        reverse("merchants:inspection_photos_submit", args=[theirs.pk]),
        {"photos": [upload(png_bytes(), "a.png", "image/png")]},
    )
    assert response.status_code == 404
    assert not InspectionPhoto.objects.exists()


def test_an_on_site_inspection_takes_no_merchant_photos(client):
    inspection = InspectionFactory()
    _member(client, inspection.merchant)
    response = client.post(
        reverse("merchants:inspection_photos_submit", args=[inspection.pk]),
        {"photos": [upload(png_bytes(), "a.png", "image/png")]},
    )
    assert response.status_code == 400
    assert "not waiting for photos" in response.content.decode()


def test_the_merchant_sees_only_its_own_inspections(client):
    mine = _photo_request()
    theirs = _photo_request()
    _member(client, mine.merchant)
    html = client.get(PAGE).content.decode()
    assert f'inspection-status-{mine.pk}"' in html
    assert f'inspection-status-{theirs.pk}"' not in html


def _submitted(merchant=None):
    request = _photo_request(merchant)
    owner = MembershipFactory(merchant=request.merchant).user
    photo_request_submit(
        inspection=request, actor=owner, uploads=[upload(png_bytes(), "a.png", "image/png")]
    )
    return request.photos.get()


def test_a_merchant_sees_its_own_upload_and_not_another_merchant_s(client):
    mine = _submitted()
    theirs = _submitted()
    _member(client, mine.inspection.merchant, Role.VIEWER)
    response = client.get(reverse("merchants:inspection_photo", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(reverse("merchants:inspection_photo", args=[theirs.pk])).status_code == 404


def test_staff_see_photos_only_with_the_permission(client):
    photo = _submitted()
    client.force_login(StaffFactory(username="clerk"))
    assert client.get(reverse("merchants:inspection_photo", args=[photo.pk])).status_code == 404
    client.force_login(StaffFactory(username="rev", groups=["compliance reviewer"]))
    assert client.get(reverse("merchants:inspection_photo", args=[photo.pk])).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client):
    photo = _submitted()
    response = client.get(reverse("merchants:inspection_photo", args=[photo.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_photos_are_not_served_as_public_media(client):
    photo = _submitted()
    assert client.get(f"/media/{photo.file.name}").status_code == 404
