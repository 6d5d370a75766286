"""The merchant's report page shows the decision its terminal was given, and whether a hold holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import StaffFactory
from tests.transactions.helpers import REPORTS, TerminalAPI, report
from tests.transactions.report_factories import make_report, signed_in_shop
from transactions.models import Hold, Report
from transactions.reports.holds import hold_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(client) -> dict[str, Any]:
    return signed_in_shop(client)


def _reported(shop: dict[str, Any], **fields: Any) -> Report:
    """A sale the shop's terminal reports through the signed API (its own client, no session)."""
    api = TerminalAPI(Client(), shop["terminal"])
    payload = report(shop["terminal"], **fields)
    assert api.post(REPORTS, payload).status_code == 201
    return Report.objects.get(report_id=payload["report_id"])


def _page(client, sale: Report) -> str:
    return client.get(reverse("transactions:report_detail", args=[sale.pk])).content.decode()


def test_a_held_sale_shows_the_hold_its_reason_and_that_it_still_holds(client, shop):
    sale = _reported(shop, mcc="5812")
    page = _page(client, sale)
    assert 'data-testid="decision-outcome">Held<' in page
    assert "The terminal was told not to complete this sale." in page
    assert "Acquired under MCC 5812; the merchant is registered under 5411." in page
    assert "The hold is still in place" in page


def test_a_released_hold_is_said_to_be_released(client, shop):
    sale = _reported(shop, mcc="5812")
    hold = Hold.objects.get(report=sale)
    hold_release(hold=hold, actor=StaffFactory(groups=["compliance lead"]), reason="Café corner")
    page = _page(client, sale)
    assert 'data-testid="decision-outcome">Held<' in page
    assert "Compliance has released this hold." in page
    assert "The hold is still in place" not in page


def test_an_accepted_sale_says_no_check_stopped_it(client, shop):
    page = _page(client, _reported(shop))
    assert 'data-testid="decision-outcome">Accepted<' in page
    assert "No check stopped this sale." in page
    assert 'data-testid="decision-hold"' not in page


def test_a_report_never_screened_has_no_decision_section(client, shop):
    page = _page(client, make_report(shop["terminal"]))
    assert 'data-testid="report-decision"' not in page


def test_the_decision_is_shown_in_chinese(client, shop, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = _page(client, _reported(shop, mcc="5812"))
    assert "上报时的实时筛查" in page
    assert 'data-testid="decision-outcome">已拦截<' in page
    assert "拦截仍然有效" in page
