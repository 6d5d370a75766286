"""A compliance lead generates the annual report for March in admin and reads its figures."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in_staff, screenshot
from tests.factories import StaffFactory
from tests.transactions.exchange.regulator.helpers import march_data
from transactions.models import RegulatorReport


def test_lead_generates_the_annual_report_and_reads_its_figures(page: Page):
    march_data()
    lead = StaffFactory(groups=["compliance lead"])
    log_in_staff(page, lead.username)
    page.goto("/admin/transactions/regulatorreport/add/")
    page.select_option("#id_kind", "annual")
    # Reversed: a form error on the end date, nothing recorded.
    page.fill("#id_start", "2026-03-31")
    page.fill("#id_end", "2026-03-01")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("The end of the period is before its start.")
    assert not RegulatorReport.objects.exists()

    page.fill("#id_start", "2026-03-01")
    page.fill("#id_end", "2026-03-31")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("The report is being generated")
    page.reload()  # built by the (eager) task as the request committed
    expect(page.locator(".field-status")).to_contain_text("Ready")
    expect(page.locator(".field-figures_tables")).to_contain_text(
        "Volumes by payment method and type"
    )
    expect(page.locator(".field-figures_tables")).to_contain_text("No data for this period.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    screenshot(page, "admin-regulator-report")
