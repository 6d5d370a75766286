"""A reviewer builds a rule with the form builder and backtests it; a lead puts it in shadow, then
live. The reviewer is not offered either step."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in_staff, screenshot
from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.rules.helpers import lead, reviewer
from transactions.models import Backtest, Rule


def _pick_action(page: Page, label: str) -> None:
    page.get_by_role("checkbox", name=re.compile("Select this object")).first.check()
    page.select_option("select[name=action]", label=label)
    page.get_by_role("button", name="Go").click()


def _htmx(page: Page, step: Callable[[], None]) -> None:
    """Take a step that makes the builder post, and wait until htmx has swapped and set up the
    new rows (a change before that would reach the old ones)."""
    with page.expect_response("**/rule/builder/"):
        step()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def test_a_reviewer_builds_and_backtests_a_rule_and_a_lead_puts_it_live(page: Page, live_server):
    reviewer(), lead()
    day = shanghai(1, 10)
    plant(reporting_terminal(), at=day, amount="6000.00", cvm="none")
    plant(reporting_terminal(), at=day, amount="6000.00", cvm="pin")

    # Console errors and uncaught exceptions: a CSP refusal (an inline script or style) is one.
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{page.url}: {m.text[:80]}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in_staff(page, "rule-reviewer")
    page.goto("/admin/transactions/rule/add/")
    page.fill("#id_code", "big_unverified")
    page.fill("#id_name", "Big and unverified")
    page.select_option("#id_group_by", "report")
    builder = page.get_by_test_id("rule-builder")
    expect(builder.get_by_test_id("row-n.0")).to_be_visible()  # amount at least 5000, to start

    # A second condition: the verification method. Choosing the field refreshes its operators.
    _htmx(page, builder.get_by_role("button", name="+ condition").click)
    row = builder.get_by_test_id("row-n.1")
    _htmx(page, lambda: row.get_by_label("field").select_option("cvm"))
    expect(row.get_by_label("operator").locator("option")).to_have_count(4)
    # The operator refreshes the builder too: wait for it, or the next step's wait could take
    # this refresh's answer for its own.
    _htmx(page, lambda: row.get_by_label("operator").select_option("eq"))
    # An aggregate row added by mistake, and removed.
    _htmx(page, builder.get_by_role("button", name="+ aggregate").click)
    expect(builder.get_by_test_id("row-n.2")).to_contain_text("over the last")
    _htmx(page, builder.get_by_test_id("row-n.2").get_by_role("button", name="Remove").click)
    expect(builder.get_by_test_id("row-n.2")).to_have_count(0)

    # Saved without the new row's value: the error is on that row, nothing is saved.
    page.fill("#id_reason", "Big sales without PIN or signature")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("row-n.1")).to_contain_text("value: This field is required.")
    assert not Rule.objects.exists()
    page.get_by_test_id("row-n.1").get_by_label("value").fill("none")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    version = Rule.objects.get(code="big_unverified").versions.get()
    assert version.document["when"] == {
        "all": [
            {"field": "amount", "op": "gte", "value": "5000"},
            {"field": "cvm", "op": "eq", "value": "none"},
        ]
    }

    # The backtest over the day with the two sales: the unverified one would have raised.
    page.goto("/admin/transactions/ruleversion/")
    options = page.locator("select[name=action] option").all_inner_texts()
    assert "Activate" not in options and "Run in shadow" not in options
    _pick_action(page, "Backtest over past days…")
    page.fill("#id_first_day", day.date().isoformat())
    page.fill("#id_last_day", day.date().isoformat())
    page.get_by_role("button", name="Start the backtest").click()
    expect(page.locator(".messagelist")).to_contain_text("backtest queued")
    page.get_by_role("link", name=re.compile("big_unverified v1")).first.click()
    expect(page.locator(".field-status")).to_contain_text("Done")
    expect(page.locator(".field-summary")).to_contain_text("1 alert(s) on 1 report(s)")
    assert Backtest.objects.get().results["alerts"] == 1
    screenshot(page, "rule-studio-backtest")

    # The lead puts it in shadow, then live; each step with a reason.
    page.context.clear_cookies()
    log_in_staff(page, "rule-lead")
    for label in ("Run in shadow", "Activate"):
        page.goto("/admin/transactions/ruleversion/")
        _pick_action(page, label)
        page.fill("#id_reason", f"{label}: backtest looks right")
        page.get_by_role("button", name=label).click()
        expect(page.locator(".messagelist")).to_contain_text("1 done")
    version.refresh_from_db()
    assert version.status == "active"
    assert list(version.transitions.values_list("to_status", flat=True).order_by("pk")) == [
        "shadow",
        "active",
    ]

    # The rule's page links to its shadow-beside-active comparison.
    page.goto(f"/admin/transactions/rule/{version.rule_id}/change/")
    page.get_by_role("link", name="Shadow beside active").click()
    expect(page.get_by_test_id("compare-table")).to_be_visible()
    assert problems == [], problems
