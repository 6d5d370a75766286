"""The merchant ticks "Include archived months": an archived sale shows under the list, marked slower."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.shop import PASSWORD
from tests.factories import MembershipFactory
from tests.transactions.archive.helpers import due_month, local
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report
from transactions.archive.services import archive_month_run


@pytest.fixture(autouse=True)
def archive_root(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"


def test_an_archived_sale_is_found_with_the_archive_option(page: Page):
    terminal = reporting_terminal()
    owner = MembershipFactory(merchant=terminal.merchant).user
    month = due_month()
    make_report(
        terminal, occurred_at=local(month, 12, 15, 30), rrn="720000123456", amount=Decimal("388.00")
    )
    archive_month_run(month=month)

    page.goto("/accounts/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/merchant/**")
    page.goto("/merchant/reports/")
    page.fill("#id_q", "720000123456")
    page.get_by_label("Include archived months").check()
    page.get_by_role("button", name="Apply").click()

    archived = page.get_by_test_id("archived-reports")
    expect(archived).to_contain_text("From archived months")
    expect(archived).to_contain_text("slower")
    expect(page.get_by_test_id("archived-row")).to_contain_text("388.00")
    screenshot(page, "merchant-reports-archived")
