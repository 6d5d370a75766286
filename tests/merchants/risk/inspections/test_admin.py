"""Staff work inspections in admin: each step's page, through the services; refusals on the form;
pages and steps only for staff with the permission."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from merchants.models import InspectionPhoto, InspectionStatus
from merchants.risk.inspections.checklist import CHECKLIST
from tests.factories import StaffFactory
from tests.merchants.risk.inspections.helpers import (
    InspectionFactory,
    checked_in,
    inspector,
    jpeg_bytes,
    lead,
    upload,
)

pytestmark = pytest.mark.django_db


def _step(pk: int, step: str) -> str:
    return reverse("admin:merchants_inspection_step", args=[pk, step])


def test_a_lead_assigns_an_inspector(client):
    inspection = InspectionFactory()
    who = inspector()
    client.force_login(lead())
    page = client.get(reverse("admin:merchants_inspection_change", args=[inspection.pk]))
    assert page.status_code == 200 and 'data-testid="step-assign"' in page.content.decode()
    response = client.post(_step(inspection.pk, "assign"), {"assignee": who.pk})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.assignee) == (InspectionStatus.ASSIGNED, who)


def test_the_inspector_checks_in_and_bad_coordinates_are_field_errors(client):
    who = inspector()
    inspection = InspectionFactory(status=InspectionStatus.ASSIGNED, assignee=who)
    client.force_login(who)
    response = client.post(_step(inspection.pk, "check-in"), {"latitude": "95", "longitude": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    response = client.post(
        _step(inspection.pk, "check-in"), {"latitude": "31.235929", "longitude": "121.506058"}
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.check_in_latitude == Decimal("31.235929")


def test_another_inspector_is_refused_on_the_form(client):
    inspection = InspectionFactory(status=InspectionStatus.ASSIGNED, assignee=inspector())
    client.force_login(inspector("other"))
    response = client.post(
        _step(inspection.pk, "check-in"), {"latitude": "31.2", "longitude": "121.5"}
    )
    assert response.status_code == 400
    assert "Only the inspector assigned" in response.content.decode()


def test_the_inspector_adds_a_photo_with_its_gps_shown(client):
    inspection = checked_in()
    client.force_login(inspection.assignee)
    photo = upload(jpeg_bytes(gps=(31.236, 121.506), taken="2026:12:07 10:00:00"))
    response = client.post(_step(inspection.pk, "photo"), {"photo": photo, "caption": "front"})
    assert response.status_code == 302
    stored = InspectionPhoto.objects.get()
    assert stored.metres_from_premises is not None and stored.metres_from_premises < 50
    page = client.get(reverse("admin:merchants_inspection_change", args=[inspection.pk]))
    assert "31.236000, 121.506000" in page.content.decode()


def test_a_text_file_as_a_photo_is_a_field_error(client):
    inspection = checked_in()
    client.force_login(inspection.assignee)
    response = client.post(_step(inspection.pk, "photo"), {"photo": upload(b"x" * 99, "a.jpg")})
    assert response.status_code == 400
    assert "JPEG or PNG" in response.content.decode()
    assert not InspectionPhoto.objects.exists()


def test_the_inspector_records_the_outcome_with_the_checklist(client):
    inspection = checked_in()
    client.force_login(inspection.assignee)
    data = {f"answer_{item.code}": "yes" for item in CHECKLIST}
    response = client.post(_step(inspection.pk, "complete"), data | {"outcome": "remediation"})
    assert response.status_code == 400
    assert "Give the date by which the fix is due." in response.content.decode()
    response = client.post(_step(inspection.pk, "complete"), data | {"outcome": "pass"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.COMPLETED
    page = client.get(reverse("admin:merchants_inspection_change", args=[inspection.pk]))
    assert "The shop sign matches" in page.content.decode()


def test_staff_without_the_permission_cannot_open_a_step(client):
    inspection = InspectionFactory()
    client.force_login(StaffFactory(username="clerk"))
    assert client.get(_step(inspection.pk, "assign")).status_code == 403
    client.force_login(inspector())  # conducts, does not assign
    assert client.get(_step(inspection.pk, "assign")).status_code == 403
    assert client.get(_step(inspection.pk, "nonsense")).status_code == 404


def test_nobody_edits_or_deletes_an_inspection_directly(client):
    inspection = InspectionFactory()
    client.force_login(lead())
    url = reverse("admin:merchants_inspection_change", args=[inspection.pk])
    client.post(url, {"status": "completed", "outcome": "pass"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SCHEDULED
    delete = reverse("admin:merchants_inspection_delete", args=[inspection.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_a_lead_sets_the_premises_and_the_fixed_premises_flag(client):
    merchant = InspectionFactory().merchant
    client.force_login(lead())
    page = client.get(reverse("admin:merchants_merchant_change", args=[merchant.pk]))
    assert 'name="premises_latitude"' in page.content.decode()


def _handed_in():
    from merchants.models import InspectionKind
    from merchants.risk.inspections.services import photo_request_submit
    from tests.factories import MembershipFactory, MerchantFactory
    from tests.merchants.risk.inspections.helpers import png_bytes

    merchant = MerchantFactory(approved=True, fixed_premises=False)
    request = InspectionFactory(merchant=merchant, kind=InspectionKind.PHOTOS)
    owner = MembershipFactory(merchant=merchant).user
    return photo_request_submit(
        inspection=request, actor=owner, uploads=[upload(png_bytes(), "a.png", "image/png")]
    )


def test_staff_accept_handed_in_photos_from_the_list(client):
    request = _handed_in()
    client.force_login(inspector())
    changelist = reverse("admin:merchants_inspection_changelist")
    response = client.post(
        changelist, {"action": "accept_photos", "_selected_action": [request.pk]}, follow=True
    )
    assert "1 done" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.outcome) == (InspectionStatus.COMPLETED, "pass")


def test_asking_again_from_the_list_asks_for_a_reason_first(client):
    request = _handed_in()
    client.force_login(inspector())
    changelist = reverse("admin:merchants_inspection_changelist")
    data = {"action": "ask_again", "_selected_action": [request.pk]}
    response = client.post(changelist, data)
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    client.post(changelist, data | {"apply": "1", "reason": "Too dark."})
    request.refresh_from_db()
    assert request.status == InspectionStatus.SCHEDULED
