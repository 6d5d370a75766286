"""The staff compliance overview in admin: open alerts, reporting health by region, merchants at risk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from merchants.models import ReportingSettings
from tests.factories import MerchantFactory, StaffFactory, TerminalFactory, UserFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import plant, shanghai
from transactions.models import AlertStatus, AuditRule, Hold

pytestmark = pytest.mark.django_db

URL = reverse("admin:transactions_complianceoverview_changelist")


@pytest.fixture
def reviewer(client):
    user = StaffFactory(groups=["compliance reviewer"])
    client.force_login(user)
    return user


def _overview(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["overview"]


def _terminal(province: str):
    merchant = MerchantFactory(approved=True, business_province=province)
    ReportingSettings.objects.update_or_create(
        merchant=merchant, defaults={"enabled": True, "deadline_hours": 24}
    )
    return TerminalFactory(active=True, merchant=merchant)


def test_open_alerts_are_counted_by_rule_and_severity(client, reviewer):
    late = AuditRule.objects.get(code="late_report")
    mcc = AuditRule.objects.get(code="mcc_jump")
    AlertFactory(rule=late, severity="medium")
    AlertFactory(rule=late, severity="medium")
    AlertFactory(rule=late, severity="high")
    AlertFactory(rule=mcc, severity="high")
    AlertFactory(rule=mcc, severity="high", status=AlertStatus.CLEARED)
    rows = {r.code: r.counts for r in _overview(client).rules}
    assert rows == {"late_report": {"medium": 2, "high": 1}, "mcc_jump": {"high": 1}}


def test_reporting_health_is_summed_per_business_province(client, reviewer):
    shanghai_shop, beijing_shop = _terminal("31"), _terminal("11")
    at = shanghai(2, 10)
    plant(shanghai_shop, at=at)
    plant(shanghai_shop, at=at, received=at + timedelta(hours=30))
    plant(beijing_shop, at=at)
    gap = AuditRule.objects.get(code="reporting_gap")
    AlertFactory(merchant=beijing_shop.merchant, rule=gap, fingerprint="reporting_gap:silent:9:1")
    rows = {
        r.code: (r.reports, r.late, r.missing, r.on_time.percent) for r in _overview(client).regions
    }
    assert rows["31"][:3] == (2, 1, 0) and str(rows["31"][3]) == "50.0"
    assert rows["11"][:3] == (1, 0, 1)


def test_reports_before_the_period_are_left_out(client, reviewer):
    terminal = _terminal("31")
    plant(terminal, at=shanghai(10, 10))
    assert _overview(client, days="7").regions == []
    assert _overview(client, days="30").regions[0].reports == 1


def test_an_unknown_period_falls_back_to_30_days(client, reviewer):
    response = client.get(URL, {"days": "abc"})
    assert response.status_code == 200 and response.context["days"] == 30
    assert client.get(URL, {"days": "5000"}).context["days"] == 30


def test_merchants_at_risk_rank_high_severity_alerts_then_holds(client, reviewer):
    quiet, holding, risky = _terminal("31"), _terminal("31"), _terminal("31")
    AlertFactory(merchant=quiet.merchant, severity="medium")
    held = AlertFactory(merchant=holding.merchant, severity="high", terminal=holding)
    Hold.objects.create(alert=held, terminal=holding, reason="check")
    AlertFactory(merchant=risky.merchant, severity="high")
    AlertFactory(merchant=risky.merchant, severity="critical")
    rows = [
        (r.merchant_id, r.high_alerts, r.holds, r.open_alerts) for r in _overview(client).at_risk
    ]
    assert rows == [
        (risky.merchant_id, 2, 0, 2),
        (holding.merchant_id, 1, 1, 1),
        (quiet.merchant_id, 0, 0, 1),
    ]


def test_holds_on_a_report_and_on_a_terminal_both_count_for_their_merchant(client, reviewer):
    terminal = _terminal("31")
    alert = AlertFactory(merchant=terminal.merchant, severity="medium", terminal=terminal)
    Hold.objects.create(alert=alert, report=plant(terminal, at=shanghai(1, 10)), reason="check")
    Hold.objects.create(alert=alert, terminal=terminal, reason="check")
    [row] = _overview(client).at_risk
    assert (row.merchant_id, row.holds, row.open_alerts) == (terminal.merchant_id, 2, 1)


def test_the_page_has_charts_and_tables_of_the_same_numbers(client, reviewer):
    AlertFactory(rule=AuditRule.objects.get(code="late_report"), severity="medium")
    html = client.get(URL).content.decode()
    assert re.search(r'data-rule="late_report">.*?<td class="num">1</td>', html)
    for chart in ("chart-rules", "chart-regions", "chart-risk"):
        assert f'id="{chart}"' in html
    assert 'id="overview-data" type="application/json"' in html


def test_its_links_open_the_filtered_alert_queue(client, reviewer):
    alert = AlertFactory(severity="high")
    html = client.get(URL).content.decode()
    links = re.findall(r'href="(/admin/transactions/alert/\?[^"]+)"', html)
    assert links, "the overview links no filtered alert queue"
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200 and "e=1" not in response.get("Location", "")
        assert alert in response.context["cl"].result_list


def test_it_is_listed_on_the_admin_index(client, reviewer):
    assert URL in client.get(reverse("admin:index")).content.decode()


def test_staff_who_cannot_view_alerts_are_refused(client):
    client.force_login(StaffFactory())
    assert client.get(URL).status_code == 403
    assert URL not in client.get(reverse("admin:index")).content.decode()


def test_merchants_cannot_open_it(client):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 302


def test_there_is_nothing_to_add_or_change(client):
    client.force_login(StaffFactory(is_superuser=True))
    assert client.get(URL + "add/").status_code == 403
