"""A photo request: the merchant's owner or staff hand photos in; staff accept them or ask again."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from merchants.models import InspectionKind, InspectionOutcome, InspectionStatus, Role
from merchants.risk.inspections.services import inspection_transition, photo_request_submit
from portal.common.statemachine import TransitionNotAllowed
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory
from tests.merchants.risk.inspections.helpers import InspectionFactory, inspector, png_bytes, upload

pytestmark = pytest.mark.django_db


def _request():
    merchant = MerchantFactory(approved=True, fixed_premises=False)
    return InspectionFactory(merchant=merchant, kind=InspectionKind.PHOTOS)


def _member(request, role=Role.OWNER):
    return MembershipFactory(merchant=request.merchant, role=role).user


def _photos():
    return [upload(png_bytes(), "shop.png", "image/png")]


def _handed_in():
    request = _request()
    return photo_request_submit(inspection=request, actor=_member(request), uploads=_photos())


def test_staff_accept_the_photos_as_a_pass():
    request = inspection_transition(
        inspection=_handed_in(), name="accept_photos", actor=(who := inspector())
    )
    assert request.status == InspectionStatus.COMPLETED
    assert (request.outcome, request.completed_by) == (InspectionOutcome.PASS, who)


def test_asking_again_needs_a_reason_and_reopens_the_request():
    request = _handed_in()
    with pytest.raises(TransitionNotAllowed, match="reason"):
        inspection_transition(inspection=request, name="ask_again", actor=inspector())
    request = inspection_transition(
        inspection=request, name="ask_again", actor=inspector("b"), reason="Show the sign."
    )
    assert request.status == InspectionStatus.SCHEDULED
    assert request.transitions.last().reason == "Show the sign."
    again = photo_request_submit(inspection=request, actor=_member(request), uploads=_photos())
    assert again.status == InspectionStatus.PHOTOS_SUBMITTED and again.photos.count() == 2


def test_a_viewer_cannot_hand_photos_in():
    request = _request()
    with pytest.raises(PermissionDenied):
        photo_request_submit(
            inspection=request, actor=_member(request, Role.VIEWER), uploads=_photos()
        )


def test_another_merchant_s_owner_cannot_hand_photos_in():
    request = _request()
    stranger = MembershipFactory(merchant=MerchantFactory(approved=True)).user
    with pytest.raises(PermissionDenied):
        photo_request_submit(inspection=request, actor=stranger, uploads=_photos())


def test_photos_handed_in_cannot_be_handed_in_again_before_review():
    request = _handed_in()
    with pytest.raises(TransitionNotAllowed):
        photo_request_submit(inspection=request, actor=_member(request), uploads=_photos())


def test_no_photo_is_refused():
    request = _request()
    with pytest.raises(ValidationError, match="at least one photo"):
        photo_request_submit(inspection=request, actor=_member(request), uploads=[])


def test_the_merchant_or_staff_without_the_permission_cannot_accept():
    request = _handed_in()
    for actor in (_member(request), StaffFactory(username="clerk")):
        with pytest.raises(PermissionDenied):
            inspection_transition(inspection=request, name="accept_photos", actor=actor)


def test_an_on_site_inspection_is_not_accepted_as_photos():
    with pytest.raises(TransitionNotAllowed):
        inspection_transition(
            inspection=InspectionFactory(status=InspectionStatus.PHOTOS_SUBMITTED),
            name="accept_photos",
            actor=inspector(),
        )


def test_only_a_lead_cancels_with_a_reason():
    request = _request()
    with pytest.raises(PermissionDenied):
        inspection_transition(inspection=request, name="cancel", actor=inspector(), reason="x")
    lead = StaffFactory(username="lead", groups=["compliance lead"])
    done = inspection_transition(inspection=request, name="cancel", actor=lead, reason="Closed.")
    assert done.status == InspectionStatus.CANCELLED


def test_asking_again_tells_the_merchant_why_by_mail_and_on_its_page(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.urls import reverse

    request = _handed_in()
    with django_capture_on_commit_callbacks(execute=True):
        inspection_transition(
            inspection=request, name="ask_again", actor=inspector(), reason="The sign is cut off."
        )
    owner = request.merchant.memberships.get().user
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "The sign is cut off." in mail.outbox[0].body
    client.force_login(owner)
    html = client.get(reverse("merchants:risk_level")).content.decode()
    assert 'data-testid="asked-again"' in html and "The sign is cut off." in html
