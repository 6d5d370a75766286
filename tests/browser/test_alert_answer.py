"""A merchant owner finds a held alert in the portal, is refused a bad file, and answers it."""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.shop import held_asking_the_owner
from tests.factories import PDF_BYTES
from tests.transactions.audit.helpers import alerts, audit, only_rule, plant, reporting_terminal
from transactions.models import AlertStatus


def _held_alert_asking_the_owner():
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, mcc="5812", received=timezone.now())
    audit()
    [alert] = alerts("mcc_jump")
    return alert, held_asking_the_owner(alert)


def test_owner_answers_a_held_alert(page: Page, live_server):
    alert, owner = _held_alert_asking_the_owner()
    page.goto("/accounts/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", "pass-word-123")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Alerts").click()
    expect(page.get_by_test_id("active-holds")).to_contain_text("Suspected MCC jumping")
    expect(page.get_by_test_id("alert-row")).to_contain_text("Awaiting the merchant")
    page.get_by_test_id("alert-row").get_by_role("link", name=str(alert.pk)).click()
    expect(page).to_have_url(re.compile(rf"/merchant/alerts/{alert.pk}/$"))
    expect(page.get_by_role("table").first).to_contain_text("Suspected MCC jumping")
    expect(page.locator("body")).to_contain_text("Why MCC 5812?")

    # A file that is not a document is refused as a field error; the text is kept.
    page.fill("#id_text", "We also run a café corner; the menu is attached.")
    page.set_input_files(
        "#id_attachment", {"name": "menu.pdf", "mimeType": "application/pdf", "buffer": b"MZ"}
    )
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".has-error .field-errors")).to_contain_text("PDF, JPEG or PNG")
    expect(page.locator("#id_text")).to_have_value(
        "We also run a café corner; the menu is attached."
    )

    page.set_input_files(
        "#id_attachment", {"name": "menu.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".msg-success")).to_contain_text("Your answer was sent to compliance.")
    expect(page.get_by_test_id("alert-status")).to_have_text("Merchant answered")
    expect(page.get_by_test_id("answers")).to_contain_text("café corner")
    expect(page.get_by_role("link", name="menu.pdf")).to_be_visible()
    screenshot(page, "merchant-alert-answered")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.MERCHANT_ANSWERED

    # The held report carries the badge in the report list.
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_test_id("held")).to_be_visible()
