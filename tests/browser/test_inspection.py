"""An on-site inspection from task to outcome: a lead assigns it in admin, the inspector checks in
with the browser's location, adds a photo, fills the checklist and records the outcome; the
merchant then sees the inspection's date and the fix due on its risk page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from merchants.models import Inspection, InspectionStatus, Role
from merchants.risk.inspections.checklist import CHECKLIST
from tests.browser.conftest import log_in_staff, screenshot
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory, TerminalFactory
from tests.merchants.risk.inspections.helpers import InspectionFactory, jpeg_bytes, located


def _log_in_merchant(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-word-123")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .username")).to_contain_text(username)


def test_an_inspection_from_task_to_outcome(page: Page, live_server):
    merchant = located(MerchantFactory(approved=True))
    MembershipFactory(merchant=merchant, role=Role.OWNER, user__username="shop-owner")
    TerminalFactory(merchant=merchant, active=True)
    inspection = InspectionFactory(merchant=merchant)
    StaffFactory(username="lead", groups=["compliance lead"])
    StaffFactory(username="inspector", groups=["compliance reviewer"])
    page_url = f"/admin/merchants/inspection/{inspection.pk}/change/"

    # The lead assigns the task.
    log_in_staff(page, "lead")
    page.goto("/admin/merchants/inspection/")
    page.get_by_role("link", name=str(inspection)).click()
    page.get_by_test_id("step-assign").click()
    page.select_option("#id_assignee", label="inspector")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("Assign: done.")

    # The inspector checks in where the browser says they are (about 30 m from the premises).
    page.context.clear_cookies()
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 31.2362, "longitude": 121.506058})
    log_in_staff(page, "inspector")
    page.goto(page_url)
    page.get_by_test_id("step-check-in").click()
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("#id_latitude")).to_have_value("31.236200")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("check-in-distance")).to_contain_text("30 m from the premises")

    # A text file named .jpg is refused; a photo with its GPS is taken.
    page.get_by_test_id("step-photo").click()
    page.set_input_files(
        "#id_photo", {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo" * 20}
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist")).to_contain_text("JPEG or PNG")
    page.set_input_files(
        "#id_photo",
        {
            "name": "front.jpg",
            "mimeType": "image/jpeg",
            "buffer": jpeg_bytes(gps=(31.2361, 121.5061), taken="2026:12:07 10:00:00"),
        },
    )
    page.fill("#id_caption", "Shop front with sign")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("front.jpg")

    # The checklist and the outcome: a remediation needs a date for the fix.
    page.get_by_test_id("step-complete").click()
    for item in CHECKLIST:
        page.check(f"input[name=answer_{item.code}][value=yes]")
    page.check("input[name=answer_licence_displayed][value=no]")
    page.fill("#id_note_licence_displayed", "Licence kept in a drawer")
    page.check("input[name=outcome][value=remediation]")
    page.fill("#id_findings", "The business licence is not displayed.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist")).to_contain_text("Give the date by which the fix is due.")
    fix_due = timezone.localdate() + timedelta(days=30)
    page.fill("#id_remediation_due_on", fix_due.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("Record the outcome: done.")
    expect(page.locator("main")).to_contain_text("Licence kept in a drawer")
    screenshot(page, "admin-inspection")

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.COMPLETED
    assert inspection.check_in_metres is not None and inspection.check_in_metres < 50
    assert list(inspection.transitions.values_list("to_status", flat=True)) == [
        "assigned",
        "checked_in",
        "completed",
    ]
    assert Inspection.objects.get(pk=inspection.pk).photos.count() == 1

    # The merchant sees the date of the inspection and of the fix.
    page.context.clear_cookies()
    _log_in_merchant(page, "shop-owner")
    page.goto("/merchant/risk/")
    expect(page.get_by_test_id("inspection-last")).to_contain_text(timezone.localdate().isoformat())
    expect(page.get_by_test_id("inspection-last")).to_contain_text(fix_due.isoformat())
    expect(page.get_by_test_id("inspection-next")).to_contain_text(fix_due.isoformat())
    screenshot(page, "merchant-inspection-dates")
