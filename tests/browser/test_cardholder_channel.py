"""A cardholder on a phone (375 px): checks a charge, complains, follows it; in both languages.

No account: the charge is found from the slip, the proof code arrives by e-mail (read from the
test outbox), the tracking page shows the status. Each page fits the screen and passes the
small accessibility audit the merchant pages pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from portal.common.beijing import SHANGHAI
from tests.browser.conftest import screenshot
from tests.factories import MerchantFactory
from tests.transactions.audit.helpers import reporting_terminal, shanghai
from tests.transactions.complaint_factories import stored_report
from transactions.complaints.services import ensure_reasons
from transactions.models import Complaint, ComplaintChannel

AUDIT = (Path(__file__).parent / "a11y_audit.js").read_text(encoding="utf-8")
NARROW = {"width": 375, "height": 812}
WORDS = {
    "en": {
        "lookup": "Check a charge",
        "received": "Complaint received",
        "status": "Received: we will look into it.",
    },
    "zh-hans": {
        "lookup": "核对扣款",
        "received": "投诉已受理",
        "status": "已受理：我们会尽快处理。",
    },
}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide"
    assert page.evaluate(AUDIT) == [], page.url


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_from_lookup_to_tracking_on_a_phone(page: Page, live_server, language):
    cache.clear()
    ensure_reasons()
    merchant = MerchantFactory(
        approved=True, legal_name="上海示例超市有限公司", registered_city="上海市", mcc="5411"
    )
    at = shanghai(2, 14, 5)
    report = stored_report(
        reporting_terminal(merchant=merchant), at=at, amount="88.00", masked_pan="622848******4321"
    )
    words = WORDS[language]
    page.set_viewport_size(NARROW)
    page.goto("/cardholder/")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    page.goto("/cardholder/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(words["lookup"])
    _fits(page)

    local = at.astimezone(SHANGHAI)
    page.fill("#id_day", local.strftime("%Y-%m-%d"))
    page.fill("#id_time", (local.replace(minute=9)).strftime("%H:%M"))  # 4 minutes out
    page.fill("#id_amount", "88.00")
    page.fill("#id_last4", "4321")
    page.fill("#id_tid", report.tid)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("charge-merchant")).to_have_text("上海示例超市有限公司")
    expect(page.locator("main")).not_to_contain_text(report.rrn)
    _fits(page)
    screenshot(page, f"cardholder-charge-{language}")

    page.locator("main a.button").click()
    page.fill("#id_email", "card.holder@example.com")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("code-sent")).to_be_visible()
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", mail.outbox[-1].body).group(1)
    page.fill("#id_code", code)
    page.select_option("#id_reason", index=1)
    page.fill("#id_description", "I was charged but never received the goods.")
    _fits(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(words["received"])
    tracking_code = page.get_by_test_id("tracking-code").inner_text().strip()
    _fits(page)

    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("complaint-status")).to_have_text(words["status"])
    _fits(page)
    screenshot(page, f"cardholder-tracking-{language}")

    page.goto(f"/cardholder/track/{tracking_code}/")
    expect(page.get_by_test_id("complaint-status")).to_have_text(words["status"])
    complaint = Complaint.objects.get()
    assert complaint.channel == ComplaintChannel.CARDHOLDER and complaint.report == report


def test_a_wrong_tracking_code_shows_the_neutral_page(page: Page, live_server):
    cache.clear()
    page.set_viewport_size(NARROW)
    page.goto("/cardholder/track/")
    page.fill("#id_code", "no-such-code")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("neutral")).to_be_visible()
    _fits(page)
