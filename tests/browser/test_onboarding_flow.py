"""A merchant signs up and submits its application; a compliance lead approves it in admin."""

import re

from playwright.sync_api import Page, expect

from merchants.models import ApplicationStatus, Merchant
from tests.browser.conftest import log_in_staff, screenshot
from tests.factories import PDF_BYTES, PNG_BYTES, StaffFactory, make_id_number, make_uscc


def _fill_application(page: Page) -> None:
    values = {
        "id_legal_name": "苏州园林文创有限公司",
        "id_short_name": "园林文创",
        "id_uscc": make_uscc(7),
        "id_mcc": "5947",
        "id_legal_rep_name": "赵六",
        "id_legal_rep_id_number": make_id_number(7),
        "id_registered_city": "苏州市",
        "id_registered_district": "姑苏区",
        "id_registered_address": "拙政园路1号",
        "id_business_city": "苏州市",
        "id_business_district": "姑苏区",
        "id_business_address": "拙政园路1号",
        "id_contact_name": "赵六",
        "id_contact_phone": "13700137000",
        "id_contact_email": "garden@example.com",
        "id_bank_name": "招商银行",
        "id_bank_account_holder": "苏州园林文创有限公司",
        "id_bank_account_number": "6225880123456789",
    }
    for field_id, value in values.items():
        page.fill(f"#{field_id}", value)
    page.select_option("#id_registered_province", "32")
    page.select_option("#id_business_province", "32")


def _upload(page: Page, kind: str, name: str, content: bytes, mime: str) -> None:
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", {"name": name, "mimeType": mime, "buffer": content})
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".msg-success")).to_contain_text("Document uploaded")


def test_sign_up_submit_and_approve_in_admin(page: Page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Sign up as a merchant").click()
    page.fill("#id_username", "garden")
    page.fill("#id_email", "garden@example.com")
    page.fill("#id_password1", "Yuanlin-2026!")
    page.fill("#id_password2", "Yuanlin-2026!")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/merchant/application/$"))

    # A bad USCC is refused with a field error; nothing valid is lost.
    _fill_application(page)
    page.fill("#id_uscc", "91110000600037341X")
    page.get_by_role("button", name="Save application").click()
    expect(page.locator(".has-error .field-errors")).to_contain_text("social credit code")
    expect(page.locator("#id_legal_name")).to_have_value("苏州园林文创有限公司")

    _fill_application(page)
    page.get_by_role("button", name="Save application").click()
    expect(page.locator(".msg-success")).to_contain_text("Application saved")
    _upload(page, "business_licence", "licence.pdf", PDF_BYTES, "application/pdf")
    _upload(page, "legal_rep_id_front", "front.png", PNG_BYTES, "image/png")
    _upload(page, "legal_rep_id_back", "back.png", PNG_BYTES, "image/png")
    screenshot(page, "application")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_test_id("application-status")).to_have_text("Submitted")
    page.get_by_role("button", name="Log out").click()

    StaffFactory(username="lead", groups=["compliance lead"])
    merchant = Merchant.objects.get(legal_name="苏州园林文创有限公司")
    log_in_staff(page, "lead")
    page.goto("/admin/merchants/merchant/?status__exact=submitted")
    screenshot(page, "admin-review-queue")
    for action in ("start_review", "approve"):
        page.goto(f"/admin/merchants/merchant/?q={merchant.uscc}")
        page.check(f"input[name=_selected_action][value='{merchant.pk}']")
        page.select_option("select[name=action]", action)
        page.get_by_role("button", name="Go").click()
        expect(page.locator(".messagelist")).to_be_visible()
    merchant.refresh_from_db()
    assert merchant.status == ApplicationStatus.APPROVED
    assert re.fullmatch(r"\d{15}", merchant.mid)

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", "garden")
    page.fill("#id_password", "Yuanlin-2026!")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("application-status")).to_have_text("Approved")
    expect(page.get_by_test_id("mid")).to_have_text(merchant.mid)
    screenshot(page, "overview-approved")
