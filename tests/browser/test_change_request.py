"""An owner asks to change the settlement account; a compliance lead approves it in admin."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from merchants.models import ChangeKind, ChangeRequest, ChangeStatus, Merchant, Role
from merchants.risk.changes.services import change_request_create
from tests.browser.conftest import log_in_staff, screenshot
from tests.browser.test_accessibility import audit
from tests.factories import (
    PDF_BYTES,
    MembershipFactory,
    MerchantFactory,
    StaffFactory,
    pdf_upload,
)

NEW_ACCOUNT = "6214830123456781234"


def _log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-word-123")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .username")).to_contain_text(username)


def test_request_a_new_account_then_approve_it_in_admin(page: Page, live_server):
    merchant = MerchantFactory(approved=True)
    MembershipFactory(merchant=merchant, role=Role.OWNER, user__username="owner")
    _log_in(page, "owner")
    page.goto("/merchant/application/")
    page.get_by_test_id("changes-link").click()
    page.get_by_test_id("change-settlement_account").click()

    # A bad account number is a field error; what was typed stays.
    page.fill("#id_bank_name", "招商银行")
    page.fill("#id_bank_account_holder", merchant.legal_name)
    page.fill("#id_bank_account_number", "6214-83")
    page.fill("#id_reason", "结算账户迁至招商银行 / account moved")
    page.set_input_files(
        "#id_documents", {"name": "bank.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Hand in the request").click()
    expect(page.locator(".has-error .field-errors")).to_contain_text("8 to 30 digits")
    expect(page.locator("#id_bank_name")).to_have_value("招商银行")

    page.fill("#id_bank_account_number", NEW_ACCOUNT)
    page.set_input_files(
        "#id_documents", {"name": "bank.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Hand in the request").click()
    expect(page.get_by_test_id("change-status")).to_have_text("Submitted")
    expect(page.locator("main")).to_contain_text("**** **** **** 1234")
    screenshot(page, "merchant-change-request")
    assert Merchant.objects.get(pk=merchant.pk).bank_name == merchant.bank_name  # not yet

    change = ChangeRequest.objects.get()
    StaffFactory(username="lead", groups=["compliance lead"])
    page.context.clear_cookies()
    log_in_staff(page, "lead")
    for action in ("start_review", "approve"):
        page.goto("/admin/merchants/changerequest/")
        page.check(f"input[name=_selected_action][value='{change.pk}']")
        page.select_option("select[name=action]", action)
        page.get_by_role("button", name="Go").click()
        expect(page.locator(".messagelist")).to_contain_text("1 done")
    page.goto(f"/admin/merchants/changerequest/{change.pk}/change/")
    screenshot(page, "admin-change-request")

    merchant.refresh_from_db()
    assert merchant.bank_name == "招商银行" and merchant.bank_account_number == NEW_ACCOUNT
    assert ChangeRequest.objects.get().status == ChangeStatus.APPROVED

    page.context.clear_cookies()
    _log_in(page, "owner")
    page.goto("/merchant/changes/")
    expect(page.get_by_test_id(f"change-status-{change.pk}")).to_have_text("Approved and applied")
    page.goto("/merchant/application/")
    expect(page.locator("main")).to_contain_text(re.compile(r"招商银行 · .* · \*+ \*+ \*+ 1234"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_change_request_pages_pass_the_audit(page: Page, live_server, language):
    merchant = MerchantFactory(approved=True)
    owner = MembershipFactory(merchant=merchant, role=Role.OWNER, user__username="owner").user
    change = change_request_create(
        merchant=merchant,
        actor=owner,
        kind=ChangeKind.MCC,
        data={"mcc": "5812"},
        reason="新业务 / new line of business",
        documents=[pdf_upload()],
    )
    page.goto("/")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    _log_in(page, "owner")
    problems = []
    for url in (
        reverse("merchants:changes"),
        reverse("merchants:change_new") + f"?kind={ChangeKind.LEGAL_REP.value}",
        reverse("merchants:change_detail", args=[change.pk]),
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        problems += [f"{url}: {problem}" for problem in audit(page)]
    assert problems == [], "\n".join(problems)
