"""A terminal reports a sale under another MCC over HTTP; screening holds it, and within a second
the merchant's report page shows it held and the admin's alert queue and decisions list show it.

The report goes through the real signed API of the live server (Playwright's request context,
headers signed as a terminal signs them), not through an in-process client: the pages then read
what the API committed.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from playwright.sync_api import APIResponse, Browser, Page, expect

from tests.browser.conftest import log_in_staff, screenshot
from tests.browser.shop import PASSWORD
from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.helpers import REPORTS, TerminalAPI, report
from transactions.models import Report

SOON = 1000  # ms: what "at once" means for a held sale


def _post_signed(page: Page, api: TerminalAPI, payload: dict[str, Any]) -> APIResponse:
    """POST the report to the live server with the terminal's signature headers."""
    body = json.dumps(payload).encode()
    # TerminalAPI signs for Django's test client (HTTP_X_TIMESTAMP); over HTTP: X-Timestamp.
    signed = api.headers("POST", REPORTS, body)
    headers = {
        name.removeprefix("HTTP_").replace("_", "-"): value for name, value in signed.items()
    }
    return page.request.post(
        REPORTS, data=body, headers={**headers, "Content-Type": "application/json"}
    )


def _log_in_member(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/merchant/**")


def test_a_sale_under_another_mcc_is_held_and_shown_at_once(
    page: Page, browser: Browser, live_server
):
    api = TerminalAPI(client=None)  # signs only; the request goes over HTTP
    merchant = api.terminal.merchant
    owner = MembershipFactory(merchant=merchant).user
    lead = StaffFactory(groups=["compliance lead"])
    _log_in_member(page, owner.username)
    staff = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    log_in_staff(staff, lead.username)

    payload = report(api.terminal, mcc="5812")  # the merchant is registered under 5411
    answer = _post_signed(page, api, payload)
    assert answer.status == 201, answer.text()
    assert answer.json()["decision"]["outcome"] == "hold"
    assert [r["code"] for r in answer.json()["decision"]["reasons"]] == ["mcc_mismatch"]
    sale = Report.objects.get(report_id=payload["report_id"])

    page.goto(reverse("transactions:report_detail", args=[sale.pk]))
    expect(page.get_by_test_id("held")).to_be_visible(timeout=SOON)
    expect(page.get_by_test_id("decision-outcome")).to_have_text("Held", timeout=SOON)
    expect(page.get_by_test_id("decision-reasons")).to_contain_text(
        "Acquired under MCC 5812; the merchant is registered under 5411.", timeout=SOON
    )
    expect(page.get_by_test_id("decision-hold")).to_contain_text(
        "The hold is still in place", timeout=SOON
    )
    screenshot(page, "merchant-report-held-at-report-time")

    staff.goto(reverse("admin:transactions_alert_changelist") + "?queue=unresolved")
    expect(staff.locator("#result_list")).to_contain_text(str(merchant), timeout=SOON)
    expect(staff.locator("#result_list")).to_contain_text("MCC not the merchant", timeout=SOON)

    staff.goto(reverse("admin:transactions_decision_changelist"))
    row = staff.locator("#result_list tbody tr").filter(has_text=payload["report_id"])
    expect(row).to_contain_text("Hold", timeout=SOON)
    expect(row).to_contain_text("mcc_mismatch", timeout=SOON)
    screenshot(staff, "admin-decisions")
    row.get_by_role("link").first.click()
    expect(staff.locator(".decision-reasons")).to_contain_text("Acquired under MCC 5812")
    expect(staff.locator(".decision-checks")).to_contain_text("mcc_mismatch")
    screenshot(staff, "admin-decision")
    staff.context.close()
