"""The merchant pages pass a small in-page accessibility audit, in English and in Chinese.

``a11y_audit.js`` runs in Chromium on the rendered page (computed styles, real labels), so it checks
what a reader gets: names of controls, headings in order, landmarks, tables, words for status and
text contrast. It is not a full WCAG audit; it keeps the basics from regressing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from merchants.models import Merchant, Role
from merchants.risk.rating.services import rate_merchants
from tests.browser.shop import PASSWORD, Shop, shop_with_a_held_alert
from tests.factories import MembershipFactory, MerchantFactory
from transactions.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

AUDIT = (Path(__file__).parent / "a11y_audit.js").read_text(encoding="utf-8")


def audit(page: Page) -> list[str]:
    return page.evaluate(AUDIT)


def merchant_pages(shop: Shop) -> list[str]:
    report = shop.reports[0]
    return [
        reverse("merchants:overview"),
        reverse("merchants:application"),
        reverse("transactions:dashboard"),
        reverse("transactions:reports") + "?method=credit_card",
        reverse("transactions:report_detail", args=[report.pk]),
        reverse("transactions:report_new"),
        reverse("transactions:uploads"),
        reverse("transactions:upload_detail", args=[shop.upload.pk]),
        reverse("transactions:alerts"),
        reverse("transactions:alert_detail", args=[shop.alert.pk]),
        reverse("transactions:complaints"),
        reverse("transactions:recon_list"),
        reverse("merchants:terminals"),
        reverse("merchants:terminal_detail", args=[shop.terminal.pk]),
        reverse("merchants:reporting_settings"),
        reverse("merchants:risk_level"),
        reverse("merchants:members"),
        reverse("transactions:webhooks"),
        reverse("transactions:webhook_detail", args=[_webhook_with_a_log(shop).pk]),
    ]


def _webhook_with_a_log(shop: Shop) -> WebhookEndpoint:
    """An endpoint with a delivery retried once, written directly (registering resolves DNS)."""
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(
        merchant=shop.terminal.merchant,
        url="https://hooks.example.com/portal",
        events=["alert.opened", "report.held"],
        secret="whsec_for-the-audit",
        secret_rotated_at=now,
    )
    event = WebhookEvent.objects.create(
        event_type="alert.opened", merchant=endpoint.merchant, data={}, occurred_at=now
    )
    delivery = WebhookDelivery.objects.create(
        event=event, endpoint=endpoint, status="retrying", attempts=1, retry_until=now
    )
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=now,
        status_code=503,
        response_ms=40,
        error="HTTP 503",
    )
    return endpoint


@pytest.fixture
def shop() -> Shop:
    shop = shop_with_a_held_alert()
    # Rated, so the risk level page shows its level, limits and tips.
    rate_merchants(merchants=Merchant.objects.filter(pk=shop.terminal.merchant_id), trigger="test")
    return shop


def log_in(page: Page, shop: Shop, language: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": page.url or "http://localhost"}]
    )
    page.goto(reverse("login"))
    page.fill("#id_username", shop.owner.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .username")).to_contain_text(shop.owner.username)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_merchant_pages_pass_the_audit(page: Page, live_server, shop, language):
    page.goto("/")
    log_in(page, shop, language)
    problems = []
    for url in merchant_pages(shop):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", language)
        problems += [f"{url}: {problem}" for problem in audit(page)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_login_and_signup_pages_pass_the_audit(page: Page, live_server, language):
    page.goto("/")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    problems = []
    for url in ("/", reverse("login"), reverse("merchants:signup")):
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        problems += [f"{url}: {problem}" for problem in audit(page)]
    assert problems == [], "\n".join(problems)


def test_a_drafting_merchants_application_form_passes_the_audit(page: Page, live_server):
    """The longest form of the portal, with its field errors shown, as a new merchant meets it."""
    owner = MembershipFactory(merchant=MerchantFactory(), role=Role.OWNER).user
    page.goto(reverse("login"))
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(reverse("merchants:application"))
    page.fill("#id_uscc", "not a code")
    page.get_by_role("button", name="Save application").click()
    expect(page.locator(".has-error").first).to_be_visible()
    assert audit(page) == []


def test_the_audit_finds_what_it_looks_for(page: Page, live_server):
    """The audit itself: a page with each kind of fault is not passed as clean."""
    page.set_content(
        """<html><head><title>x</title></head><body><header></header><main>
        <h1>Page</h1><h3>Skipped a level</h3>
        <input id="a"><input id="a" aria-describedby="nowhere">
        <img src="x.png"><a href="/"></a>
        <div class="table-wrap"><table><tr><th>Head</th></tr></table></div>
        <span class="badge"></span>
        <p style="color:#999;background:#fff">Pale text</p>
        </main><footer></footer></body></html>"""
    )
    rules = {problem.split(":")[0] for problem in audit(page)}
    assert rules == {
        "html-lang",
        "duplicate-id",
        "broken-idref",
        "heading-order",
        "control-name",
        "img-alt",
        "link-or-button-name",
        "table-name",
        "th-scope",
        "badge-text",
        "contrast",
    }
