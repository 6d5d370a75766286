"""A merchant owner registers a webhook, keeps its secret, sends a test event and sees it delivered."""

import re

import pytest
from playwright.sync_api import Page, expect

from merchants.models import Role
from portal.common import events
from tests.browser.conftest import screenshot
from tests.factories import MembershipFactory, MerchantFactory
from tests.transactions.exchange.webhooks.helpers import documented_verify
from tests.transactions.exchange.webhooks.receiver import start_receiver
from transactions.models import WebhookDelivery


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    receiver = start_receiver()
    yield receiver
    receiver.stop()


def test_owner_registers_a_webhook_and_sees_a_delivery_in_its_log(page: Page, receiver):
    owner = MembershipFactory(merchant=MerchantFactory(approved=True), role=Role.OWNER).user
    page.goto("/accounts/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", "pass-word-123")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Webhooks").click()
    # A URL reaching inside is refused as a field error.
    page.fill("#id_url", "https://169.254.169.254/latest/meta-data")
    page.get_by_label(re.compile(r"\(alert\.opened\)")).check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator(".has-error .field-errors")).to_contain_text("public addresses only")

    page.fill("#id_url", receiver.url)
    page.fill("#id_description", "Our ERP")
    page.get_by_label(re.compile(r"\(complaint\.received\)")).check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_test_id("new-secret").inner_text()
    assert secret.startswith("whsec_")

    page.get_by_role("button", name="Send a test event").click()
    expect(page.locator(".msg-success")).to_contain_text("Test event queued.")
    row = page.get_by_test_id("delivery-row")
    expect(row).to_contain_text(events.PING)
    expect(row).to_contain_text("Delivered")
    expect(row.get_by_test_id("attempt")).to_contain_text("HTTP 200")
    expect(page.get_by_test_id("new-secret")).to_have_count(0)  # shown once only
    screenshot(page, "merchant-webhook-log")

    delivery = WebhookDelivery.objects.get()
    expect(row).to_contain_text(delivery.event.public_id)
    [request] = receiver.requests
    assert request.json["id"] == delivery.event.public_id
    headers = request.headers
    assert documented_verify()(
        secret, request.body, headers["X-Portal-Timestamp"], headers["X-Portal-Signature"]
    )
