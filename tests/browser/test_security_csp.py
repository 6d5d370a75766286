"""The Content-Security-Policy holds in Chromium: portal, admin and API doc pages work with no violation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in_staff
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.complaint_factories import ComplaintFactory
from transactions.audit.runner import ensure_rules


@pytest.fixture
def problems(page: Page) -> list[str]:
    """Console errors and uncaught exceptions (a CSP refusal is a console error in Chromium)."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"{page.url}: {error}"))
    return found


def _visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")


def test_admin_pages_render_with_no_csp_violation(page: Page, live_server, problems):
    StaffFactory(username="lead", groups=["compliance lead"], is_superuser=True)
    merchant = MerchantFactory(approved=True)
    log_in_staff(page, "lead")
    for path in (
        "/admin/",
        "/admin/merchants/merchant/",
        f"/admin/merchants/merchant/{merchant.pk}/change/",
        f"/admin/merchants/merchant/{merchant.pk}/history/",
        "/admin/transactions/alert/",
        "/admin/transactions/auditrule/",
        "/admin/django_celery_beat/periodictask/add/",
        "/admin/auth/user/add/",
    ):
        _visit(page, path)
    # Admin's own scripts run: the change list's select-all box ticks the rows.
    _visit(page, "/admin/merchants/merchant/")
    page.check("#action-toggle")
    expect(page.locator("input[name=_selected_action]").first).to_be_checked()
    assert problems == [], "\n".join(problems)


def _computed(page: Page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(
        "(element, prop) => getComputedStyle(element).getPropertyValue(prop)", prop
    )


def test_overdue_alerts_and_complaints_are_styled_with_no_csp_violation(
    page: Page, live_server, problems
):
    StaffFactory(username="lead", groups=["compliance lead"], is_superuser=True)
    ensure_rules()  # a transactional test before this one may have emptied the table
    late = timezone.now() - timedelta(days=1)
    alert = AlertFactory(due_at=late, explanation="First line.\nSecond line.")
    complaint = ComplaintFactory(due_at=late)
    log_in_staff(page, "lead")
    styles = {}
    # The overdue marker is in the lists' "due" column; the explanation is on the alert's page.
    for path in ("/admin/transactions/alert/", "/admin/transactions/complaint/"):
        _visit(page, path)
        styles[path] = _computed(page, ".overdue", "color")
    _visit(page, f"/admin/transactions/alert/{alert.pk}/change/")
    styles["explanation"] = _computed(
        page, ".field-explanation_text .readonly > div", "white-space"
    )
    _visit(page, f"/admin/transactions/complaint/{complaint.pk}/change/")
    assert problems == [], "\n".join(problems)
    assert styles == {
        "/admin/transactions/alert/": "rgb(186, 33, 33)",
        "/admin/transactions/complaint/": "rgb(186, 33, 33)",
        "explanation": "pre-wrap",
    }


def test_api_doc_pages_render_with_no_csp_violation(page: Page, live_server, problems):
    owner = MembershipFactory().user
    page.goto("/accounts/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", "pass-word-123")
    page.get_by_role("button", name="Log in").click()
    _visit(page, "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    _visit(page, "/api/redoc/")
    expect(page.locator("redoc h1, #redoc-container h1, .api-content h1").first).to_be_visible()
    # Redoc's "powered by" footer logo is on its CDN: left blocked on purpose (nothing off-site).
    problems = [p for p in problems if "cdn.redoc.ly" not in p]
    assert problems == [], "\n".join(problems)


def test_the_language_switch_works_without_inline_script(page: Page, live_server, problems):
    _visit(page, "/accounts/login/")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert problems == [], "\n".join(problems)


def test_staff_enrol_an_app_by_scanning_the_inline_qr_code(page: Page, live_server, problems):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    StaffFactory(username="newcomer", groups=["compliance reviewer"])
    page.goto("/admin/")
    page.fill("#id_username", "newcomer")
    page.fill("#id_password", "pass-word-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/2fa/setup/**")
    expect(page.locator(".otp-qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user__username="newcomer")
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".otp-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/admin/")
    assert problems == [], "\n".join(problems)
