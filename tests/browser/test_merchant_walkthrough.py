"""A merchant's working session in Chromium, as the issue walks it, then the same pages on a phone
and from the keyboard.

The suite runs Celery tasks eagerly, which would finish a batch file inside the upload request; the
walkthrough instead hands the queued task to ``StepwiseWorker``, which runs the real task in a thread
and pauses after each chunk of rows, so the test watches the page's progress move (htmx polls it)
before the result shows.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from portal.celery import app as celery_app
from portal.common.beijing import SHANGHAI
from tests.browser.conftest import screenshot
from tests.browser.shop import PASSWORD, YESTERDAY_CREDIT_CARD, Shop, shop_with_a_held_alert
from tests.factories import PNG_BYTES
from tests.transactions.helpers import report, report_csv
from transactions.analytics.dashboard import preset_period
from transactions.ingest import uploads as upload_service
from transactions.models import AlertStatus, Report, ReportUpload, UploadStatus

WAIT = 30  # seconds the worker thread waits for the test (and the test for it) before failing


class StepwiseWorker:
    """Stands in for the Celery worker: the real task in a thread, paused after every chunk."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, chunk_rows: int) -> None:
        self.queued: list[int] = []
        self.chunk_done = threading.Semaphore(0)
        self.go_on = threading.Semaphore(0)
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None
        process_chunk = upload_service._process_chunk

        def process_chunk_then_pause(*args: Any, **kwargs: Any) -> None:
            process_chunk(*args, **kwargs)
            self.chunk_done.release()
            if not self.go_on.acquire(timeout=WAIT):
                raise TimeoutError("the test never let the worker go on")

        monkeypatch.setattr(upload_service, "CHUNK_ROWS", chunk_rows)
        monkeypatch.setattr(upload_service, "_process_chunk", process_chunk_then_pause)
        monkeypatch.setitem(celery_app.tasks, "transactions.tasks.process_upload", self)

    def delay(self, upload_id: int) -> None:
        """What ``upload_create`` calls on commit: the message waits in the queue."""
        self.queued.append(upload_id)

    def start(self) -> None:
        [upload_id] = self.queued
        # An in-memory SQLite test database is one connection, shared like the live server does.
        shared = connections["default"] if connection.vendor == "sqlite" else None
        if shared is not None:
            shared.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, args=(upload_id, shared), daemon=True)
        self.thread.start()

    def _run(self, upload_id: int, shared: Any) -> None:
        if shared is not None:
            connections["default"] = shared
        try:
            upload_service.upload_process(upload_id=upload_id)
        except BaseException as exc:
            self.failure = exc
            self.chunk_done.release()
        finally:
            if shared is None:
                connection.close()
            else:
                shared.dec_thread_sharing()

    def next_chunk(self) -> None:
        """Wait until the worker has processed one more chunk (and paused)."""
        assert self.chunk_done.acquire(timeout=WAIT), "the worker processed no chunk"
        assert self.failure is None, self.failure

    def resume(self) -> None:
        self.go_on.release()

    def finish(self) -> None:
        assert self.thread is not None
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive(), "the worker did not finish"
        assert self.failure is None, self.failure


@pytest.fixture
def shop() -> Shop:
    return shop_with_a_held_alert()


def log_in(page: Page, shop: Shop) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(shop.owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header .username")).to_contain_text(shop.owner.username)


def switch_language(page: Page, code: str) -> None:
    page.get_by_label(re.compile("Language|语言")).select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def batch_csv(shop: Shop) -> bytes:
    """Seven rows: five good, a sub-cent amount on line 4, an unknown TID on line 7."""
    at = (timezone.now() - timedelta(hours=2)).isoformat()
    rows = [report(shop.terminal, occurred_at=at, rrn=f"4400000000{n:02d}") for n in range(7)]
    rows[2]["amount"] = "1.234"
    rows[5]["tid"] = "99999999"
    return report_csv(rows)


def test_merchant_works_through_the_portal(page: Page, live_server, shop, monkeypatch):
    log_in(page, shop)

    # The language switch turns the whole shell Chinese, and back.
    switch_language(page, "zh-hans")
    expect(page.get_by_role("navigation", name="主导航")).to_contain_text("预警")
    expect(page.get_by_role("link", name="交易报备", exact=True)).to_be_visible()
    switch_language(page, "en")
    expect(page.get_by_role("link", name="Alerts", exact=True)).to_be_visible()

    # The dashboard's figures are on screen (its cards and the tables behind its charts).
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    month = preset_period("month", today=timezone.localdate())
    sales = [
        r.amount
        for r in Report.objects.filter(merchant=shop.terminal.merchant, type="sale")
        if r.occurred_at.astimezone(SHANGHAI).date() >= month.date_from
    ]
    expect(page.get_by_test_id("kpi-sales").locator("dd")).to_have_text(str(len(sales)))
    expect(page.get_by_test_id("kpi-volume").locator("dd")).to_have_text(f"¥{sum(sales):.2f}")
    expect(page.get_by_test_id("glance-month")).to_contain_text(f"¥{sum(sales):.2f}")
    expect(page.get_by_test_id("kpi-holds").locator("dd")).to_have_text("1")
    screenshot(page, "merchant-dashboard")

    # Reports: yesterday's credit-card sales, one opened, the same list exported as CSV.
    page.get_by_role("link", name="Reports", exact=True).click()
    yesterday = (timezone.now().astimezone(SHANGHAI) - timedelta(days=1)).date().isoformat()
    page.get_by_label("From (date)").fill(yesterday)
    page.get_by_label("To (date)").fill(yesterday)
    page.get_by_label("Payment method").select_option("credit_card")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"method=credit_card"))
    rows = page.get_by_test_id("report-row")
    expect(rows).to_have_count(YESTERDAY_CREDIT_CARD)
    for text in rows.all_inner_texts():
        assert "Credit card" in text and yesterday in text
    screenshot(page, "merchant-reports-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    exported = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    header, data = exported[0], exported[1:]
    assert len(data) == YESTERDAY_CREDIT_CARD
    method, amount = header.index("Payment method"), header.index("Amount")
    assert {row[method] for row in data} == {"Credit card"}
    assert sorted(row[amount] for row in data) == ["1200.00", "128.50", "66.00"]

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True).active
    excel = list(sheet.iter_rows(values_only=True))
    assert list(excel[0]) == header and len(excel) == 1 + YESTERDAY_CREDIT_CARD
    assert sorted(row[amount] for row in excel[1:]) == [66, 128.5, 1200]

    rows.filter(has_text="1200.00").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1200.00")
    expect(page.locator("main")).to_contain_text("Credit card")
    screenshot(page, "merchant-report-detail")

    # The held alert: its explanation and hold, then an answer with text and a scan.
    page.get_by_role("link", name="Alerts").click()
    expect(page.get_by_test_id("active-holds")).to_contain_text("Suspected MCC jumping")
    screenshot(page, "merchant-alerts-en")
    page.get_by_test_id("alert-row").get_by_role("link", name=str(shop.alert.pk)).click()
    expect(page.get_by_test_id("question")).to_contain_text("Why MCC 5812?")
    page.get_by_role("textbox", name="Your answer").fill(
        "Our café corner sells drinks; the menu is attached."
    )
    page.get_by_label("Attachment").set_input_files(
        {"name": "menu.png", "mimeType": "image/png", "buffer": PNG_BYTES}
    )
    screenshot(page, "merchant-alert-answer")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".msg-success")).to_contain_text("Your answer was sent to compliance.")
    expect(page.get_by_test_id("alert-status")).to_have_text("Merchant answered")
    expect(page.get_by_test_id("answers").get_by_role("link", name="menu.png")).to_be_visible()
    shop.alert.refresh_from_db()
    assert shop.alert.status == AlertStatus.MERCHANT_ANSWERED

    # A batch file: queued, then processed three rows at a time while the page follows it.
    worker = StepwiseWorker(monkeypatch, chunk_rows=3)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Upload a batch file").click()
    page.get_by_label("Batch file", exact=True).set_input_files(
        {"name": "today.csv", "mimeType": "text/csv", "buffer": batch_csv(shop)}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("today.csv")
    progress = page.get_by_test_id("upload-progress")
    expect(progress.get_by_test_id("upload-status")).to_have_text("Queued")
    expect(progress.get_by_test_id("upload-rows")).to_have_text("Waiting for a worker to start…")

    worker.start()
    for done, percent in ((3, 42), (6, 85)):
        worker.next_chunk()
        expect(progress.get_by_test_id("upload-status")).to_have_text("Processing")
        expect(progress.get_by_test_id("upload-rows")).to_have_text(f"{done} of 7 rows")
        expect(progress.get_by_test_id("upload-percent")).to_have_text(f"{percent} %")
        expect(progress.get_by_role("progressbar")).to_have_attribute("value", str(percent))
        if done == 3:
            screenshot(page, "merchant-upload-progress")
        worker.resume()
    worker.next_chunk()
    worker.resume()
    worker.finish()

    expect(progress.get_by_test_id("upload-status")).to_have_text("Done")
    expect(progress.get_by_test_id("upload-percent")).to_have_text("100 %")
    expect(progress.get_by_test_id("accepted")).to_have_text("5")
    expect(progress.get_by_test_id("rejected")).to_have_text("2")
    expect(page.locator("#upload-announce")).to_have_text(
        "Done: 5 accepted, 0 duplicates, 2 rejected."
    )
    not_accepted = page.get_by_test_id("upload-rows-table").locator("tbody tr")
    expect(not_accepted).to_have_count(2)
    expect(not_accepted.nth(0)).to_contain_text("4")
    expect(not_accepted.nth(0)).to_contain_text("amount")
    expect(not_accepted.nth(1)).to_contain_text("No active terminal with this TID")
    # Polling stops once the file is finished.
    assert progress.get_attribute("hx-get") is None
    screenshot(page, "merchant-upload-done")
    upload = ReportUpload.objects.get(original_name="today.csv")
    assert upload.status == UploadStatus.DONE

    # Terminals, reporting settings and the onboarding status, in Chinese for the record.
    page.get_by_role("link", name="Terminals").click()
    expect(page.get_by_role("table")).to_contain_text(shop.terminal.serial_number)
    screenshot(page, "merchant-terminals")
    page.get_by_role("link", name="Reporting", exact=True).click()
    expect(page.get_by_label(re.compile("deadline", re.IGNORECASE))).to_have_value("24")
    screenshot(page, "merchant-settings")
    switch_language(page, "zh-hans")
    page.get_by_role("link", name="概览").click()
    expect(page.get_by_test_id("application-status")).to_have_text("已通过")
    screenshot(page, "merchant-overview-zh")
    page.get_by_role("link", name="预警").click()
    expect(page.get_by_test_id("alert-row")).to_contain_text("商户已答复")
    screenshot(page, "merchant-alerts-zh")


NARROW = {"width": 375, "height": 812}

# What a phone shows: the page no wider than the screen, the top bar's links all on screen, every
# visible table either fitting or scrolling inside its own .table-wrap, form fields one under another.
LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const offscreen = [...document.querySelectorAll("header a, header select, header button")]
    .filter((el) => el.getClientRects().length)
    .filter((el) => { const r = el.getBoundingClientRect(); return r.left < 0 || r.right > width + 0.5; })
    .map((el) => el.textContent.trim());
  const tables = [...document.querySelectorAll("main table")]
    .filter((table) => table.getClientRects().length)
    .map((table) => {
      const wrap = table.closest(".table-wrap");
      const box = wrap.getBoundingClientRect();
      return {
        wide: table.scrollWidth > wrap.clientWidth + 1,
        overflowX: getComputedStyle(wrap).overflowX,
        wrapOnScreen: box.left >= 0 && box.right <= width + 0.5,
      };
    });
  const columns = new Set([...document.querySelectorAll("main .grid-form .field")]
    .map((field) => Math.round(field.getBoundingClientRect().left)));
  return { width, pageWidth: document.documentElement.scrollWidth, offscreen, tables, formColumns: columns.size };
}"""


def test_pages_fit_a_narrow_screen(page: Page, live_server, shop):
    page.set_viewport_size(NARROW)
    log_in(page, shop)
    pages = [
        reverse("merchants:overview"),
        reverse("transactions:dashboard"),
        reverse("transactions:reports"),
        reverse("transactions:report_detail", args=[shop.reports[0].pk]),
        reverse("transactions:report_new"),
        reverse("transactions:alerts"),
        reverse("transactions:alert_detail", args=[shop.alert.pk]),
        reverse("transactions:uploads"),
        reverse("merchants:terminals"),
        reverse("merchants:terminal_detail", args=[shop.terminal.pk]),
        reverse("merchants:reporting_settings"),
    ]
    wide_tables = 0
    for url in pages:
        page.goto(url)
        layout = page.evaluate(LAYOUT)
        assert layout["pageWidth"] <= layout["width"], f"{url} is wider than the screen"
        assert layout["offscreen"] == [], f"{url}: off screen in the top bar"
        assert layout["formColumns"] <= 1, f"{url}: form fields side by side"
        for table in layout["tables"]:
            assert table["wrapOnScreen"], url
            if table["wide"]:
                wide_tables += 1
                assert table["overflowX"] in ("auto", "scroll"), url
    assert wide_tables, "no table was wider than the phone: the scrolling went unchecked"

    # The report list's table scrolls sideways in its box; the page itself does not move.
    page.goto(reverse("transactions:reports"))
    wrap = page.locator("main .table-wrap").filter(has=page.locator("table"))
    wrap.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    assert wrap.evaluate("(el) => el.scrollLeft") > 0
    assert page.evaluate("() => window.scrollX") == 0
    wrap.evaluate("(el) => { el.scrollLeft = 0; }")
    screenshot(page, "merchant-reports-narrow")


FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || "").trim().slice(0, 40),
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
      && box.right <= innerWidth && box.bottom <= innerHeight,
    inMain: Boolean(el.closest("main")),
  };
}"""


def test_keyboard_reaches_the_skip_link_and_the_answer_form_with_visible_focus(
    page: Page, live_server, shop
):
    log_in(page, shop)
    page.goto(reverse("transactions:alert_detail", args=[shop.alert.pk]))

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    focus = page.evaluate(FOCUS)
    assert focus["ring"] and focus["onScreen"], focus
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert not page.evaluate(FOCUS)["ring"], "the skip link's target is ringed as a whole"

    # From the main content onwards, every stop shows its focus ring on screen, up to the answer.
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        seen.append(focus)
        assert focus["inMain"] and focus["ring"] and focus["onScreen"], focus
        if focus["id"] == "id_text":
            break
    assert seen[-1]["id"] == "id_text", seen
    page.keyboard.type("Sold in the café corner, MCC 5812 by mistake.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Attachment")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send answer")).to_be_focused()
    assert page.evaluate(FOCUS)["ring"]
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("alert-status")).to_have_text("Merchant answered")

    # The language choice is reachable from the keyboard too, in the top bar.
    page.goto(reverse("transactions:alerts"))
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "language-select":
            break
    expect(page.get_by_label("Language")).to_be_focused()
    assert page.evaluate(FOCUS)["ring"]
