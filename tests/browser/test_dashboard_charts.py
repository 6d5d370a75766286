"""The dashboard's and the compliance overview's charts draw in Chromium under the CSP."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from merchants.models import Role
from tests.browser.conftest import log_in_staff, screenshot
from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import plant, reporting_terminal, shanghai
from transactions.audit.runner import ensure_rules


@pytest.fixture
def problems(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_the_merchant_dashboard_draws_its_charts(page: Page, live_server, problems):
    terminal = reporting_terminal()
    for days_ago, hour, method, amount in [
        (1, 10, "credit_card", "128.50"),
        (2, 15, "wechat", "35.00"),
    ]:
        fields = (
            {}
            if method == "credit_card"
            else {"masked_pan": None, "card_token": None, "cvm": "none"}
        )
        plant(terminal, at=shanghai(days_ago, hour), method=method, amount=amount, **fields)
    owner = MembershipFactory(merchant=terminal.merchant, role=Role.OWNER).user
    page.goto("/accounts/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", "pass-word-123")
    page.get_by_role("button", name="Log in").click()
    today = timezone.localdate()
    page.goto(f"/merchant/dashboard/?date_from={today - timedelta(days=6)}&date_to={today}")
    for chart in ("daily", "methods", "types", "terminals", "heatmap"):
        expect(page.locator(f"#chart-{chart} canvas")).to_have_count(1)
    expect(page.get_by_test_id("kpi-volume")).to_contain_text("¥163.50")
    screenshot(page, "merchant-dashboard-charts")
    assert problems == [], "\n".join(problems)


def test_the_compliance_overview_draws_its_charts(page: Page, live_server, problems):
    StaffFactory(username="reviewer", groups=["compliance reviewer"])
    ensure_rules()  # a transactional test's flush took the rule rows away
    AlertFactory(severity="high")
    log_in_staff(page, "reviewer")
    page.get_by_role("link", name="Compliance overview").first.click()
    for chart in ("rules", "regions", "risk"):
        expect(page.locator(f"#chart-{chart} canvas")).to_have_count(1)
    screenshot(page, "admin-compliance-overview")
    assert problems == [], "\n".join(problems)
