"""The merchant dashboard: its figures equal direct aggregates over the reports, for its merchant only."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from merchants.models import ReportingSettings, Role
from portal.common.beijing import SHANGHAI
from tests.factories import MembershipFactory, StaffFactory, TerminalFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import plant, reporting_terminal, shanghai
from transactions.analytics.dashboard import Period, preset_period
from transactions.models import AuditRule, Hold, Report

pytestmark = pytest.mark.django_db

URL = reverse("transactions:dashboard")


@pytest.fixture
def shop(client) -> dict[str, Any]:
    terminal = reporting_terminal()
    second = TerminalFactory(active=True, merchant=terminal.merchant)
    ReportingSettings.objects.filter(merchant=terminal.merchant).update(deadline_hours=12)
    membership = MembershipFactory(merchant=terminal.merchant, role=Role.VIEWER)
    client.force_login(membership.user)
    return {"terminal": terminal, "second": second, "merchant": terminal.merchant}


def _history(shop: dict[str, Any]) -> list[Report]:
    """Three weeks of mixed reports over two terminals: methods, types, late ones, repeat cards."""
    planted = []
    methods = ["credit_card", "debit_card", "wechat", "alipay", "unionpay_qr"]
    for i in range(36):
        at = shanghai(1 + i % 20, 6 + i % 17, i % 60)
        method = methods[i % 5]
        card = method.endswith("card")
        fields: dict[str, Any] = {
            "amount": f"{(i * 37) % 900 + 1}.{i % 100:02d}",
            "method": method,
            "masked_pan": "622848******1234" if card else None,
            "card_token": f"card-{i % 3}" if card else None,
            "cvm": "pin" if card else "none",
        }
        if i % 9 == 4:
            fields["type"] = "preauth"
        planted.append(
            plant(
                shop["terminal"] if i % 3 else shop["second"],
                at=at,
                received=at + timedelta(hours=(i * 5) % 20, minutes=1),
                **fields,
            )
        )
    planted.append(
        plant(
            shop["terminal"],
            at=shanghai(2, 15),
            type="refund",
            amount="12.00",
            original_report_id=str(planted[0].report_id),
        )
    )
    return planted


def _range(first: date, last: date) -> dict[str, str]:
    return {"date_from": first.isoformat(), "date_to": last.isoformat()}


def _direct(merchant: Any, first: date, last: date) -> dict[str, Any]:
    """The dashboard's figures computed straight from the Report rows."""
    deadline = timedelta(hours=ReportingSettings.objects.get(merchant=merchant).deadline_hours)
    rows = [
        r
        for r in Report.objects.filter(merchant=merchant)
        if first <= r.occurred_at.astimezone(SHANGHAI).date() <= last
    ]
    sales = [r for r in rows if r.type == "sale"]
    methods: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    types: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    daily: dict[date, list] = defaultdict(lambda: [0, Decimal(0)])
    heat = [[0] * 24 for _ in range(7)]
    terminals: dict[int, Decimal] = defaultdict(Decimal)
    for r in rows:
        local = r.occurred_at.astimezone(SHANGHAI)
        types[r.type][0] += 1
        types[r.type][1] += r.amount
        heat[local.weekday()][local.hour] += 1
    for r in sales:
        methods[r.method][0] += 1
        methods[r.method][1] += r.amount
        day = daily[r.occurred_at.astimezone(SHANGHAI).date()]
        day[0] += 1
        day[1] += r.amount
        terminals[r.terminal_id] += r.amount
    first_seen: dict[str, date] = {}
    for r in Report.objects.filter(merchant=merchant, type="sale").exclude(card_token=""):
        day = r.occurred_at.astimezone(SHANGHAI).date()
        first_seen[r.card_token] = min(first_seen.get(r.card_token, day), day)
    card_sales = [r for r in sales if r.card_token]
    repeat = [
        r
        for r in card_sales
        if r.occurred_at.astimezone(SHANGHAI).date() > first_seen[r.card_token]
    ]
    return {
        "volume": sum((r.amount for r in sales), Decimal(0)),
        "sales": len(sales),
        "reports": len(rows),
        "late": sum(1 for r in rows if r.received_at - r.occurred_at > deadline),
        "methods": {m: tuple(v) for m, v in methods.items()},
        "types": {t: tuple(v) for t, v in types.items()},
        "daily": {d: tuple(v) for d, v in daily.items()},
        "heatmap": heat,
        "terminals": dict(terminals),
        "card_sales": len(card_sales),
        "repeat_sales": len(repeat),
    }


def _board(client, params: dict[str, str]) -> Any:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["board"]


def test_kpis_match_direct_aggregates_over_the_reports(client, shop):
    _history(shop)
    first, last = shanghai(20, 0).date(), shanghai(1, 0).date()
    board = _board(client, _range(first, last))
    direct = _direct(shop["merchant"], first, last)
    assert (board.volume, board.sales, board.reports, board.late) == (
        direct["volume"],
        direct["sales"],
        direct["reports"],
        direct["late"],
    )
    assert board.late > 0 and board.reports > board.sales
    average = (direct["volume"] / direct["sales"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert board.average_ticket == average


def test_method_and_type_mix_match_the_reports(client, shop):
    _history(shop)
    first, last = shanghai(20, 0).date(), shanghai(1, 0).date()
    board = _board(client, _range(first, last))
    direct = _direct(shop["merchant"], first, last)
    assert {s.code: (s.count, s.amount) for s in board.methods} == direct["methods"]
    assert {s.code: (s.count, s.amount) for s in board.types} == direct["types"]


def test_daily_sales_cover_every_day_of_the_range(client, shop):
    _history(shop)
    first, last = shanghai(25, 0).date(), shanghai(1, 0).date()
    board = _board(client, _range(first, last))
    direct = _direct(shop["merchant"], first, last)
    assert [d for d, _n, _a in board.daily] == [first + timedelta(days=i) for i in range(25)]
    assert {d: (n, a) for d, n, a in board.daily if n} == direct["daily"]


def test_heatmap_counts_reports_by_weekday_and_hour(client, shop):
    _history(shop)
    first, last = shanghai(20, 0).date(), shanghai(1, 0).date()
    board = _board(client, _range(first, last))
    assert board.heatmap == _direct(shop["merchant"], first, last)["heatmap"]


def test_top_terminals_are_ranked_by_sales_volume(client, shop):
    _history(shop)
    first, last = shanghai(20, 0).date(), shanghai(1, 0).date()
    board = _board(client, _range(first, last))
    direct = _direct(shop["merchant"], first, last)["terminals"]
    assert [(t.terminal_id, t.amount) for t in board.terminals] == sorted(
        direct.items(), key=lambda item: -item[1]
    )


def test_repeat_share_counts_card_sales_by_cards_seen_on_an_earlier_day(client, shop):
    _history(shop)
    first, last = shanghai(20, 0).date(), shanghai(1, 0).date()
    board = _board(client, _range(first, last))
    direct = _direct(shop["merchant"], first, last)
    assert (board.repeat.part, board.repeat.whole) == (
        direct["repeat_sales"],
        direct["card_sales"],
    )
    assert 0 < board.repeat.part < board.repeat.whole


def test_reports_outside_the_range_do_not_count(client, shop):
    plant(shop["terminal"], at=shanghai(5, 10), amount="10.00")
    plant(shop["terminal"], at=shanghai(3, 23, 59), amount="20.00")
    plant(shop["terminal"], at=shanghai(2, 0, 0), amount="40.00")
    board = _board(client, _range(shanghai(4, 0).date(), shanghai(3, 0).date()))
    assert (board.volume, board.sales) == (Decimal("20.00"), 1)


def test_the_page_shows_the_figures_and_their_tables(client, shop):
    plant(
        shop["terminal"],
        at=shanghai(2, 9),
        amount="100.00",
        method="wechat",
        card_token=None,
        masked_pan=None,
        cvm="none",
    )
    plant(shop["terminal"], at=shanghai(2, 10), amount="50.25")
    day = shanghai(2, 0).date()
    html = client.get(URL, _range(day, day)).content.decode()
    assert re.search(r'data-testid="kpi-volume"><dt>[^<]+</dt><dd>¥150.25</dd>', html)
    wechat = re.search(r'data-code="wechat">(.*?)</tr>', html)
    assert wechat is not None
    assert re.findall(r'class="num">([^<]+)<', wechat.group(1)) == ["1", "100.00"]
    assert 'id="dashboard-data" type="application/json"' in html


def test_the_page_has_no_inline_script(client, shop):
    html = client.get(URL).content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag
    assert " onclick=" not in html and " onchange=" not in html.split("</header>")[1]


def test_a_merchant_sees_only_its_own_numbers(client, shop):
    plant(shop["terminal"], at=shanghai(2, 9), amount="10.00")
    other = reporting_terminal()
    plant(other, at=shanghai(2, 9), amount="999.00")
    AlertFactory(merchant=other.merchant)
    day = shanghai(2, 0).date()
    board = _board(client, _range(day, day))
    assert (board.volume, board.sales, board.open_alerts) == (Decimal("10.00"), 1, 0)
    assert [t.terminal_id for t in board.terminals] == [shop["terminal"].pk]


def test_open_alerts_missing_reports_and_holds_count_what_stands_now(client, shop):
    merchant = shop["merchant"]
    gap = AuditRule.objects.get(code="reporting_gap")
    AlertFactory(merchant=merchant, rule=gap, fingerprint="reporting_gap:silent:1:202611010900")
    AlertFactory(merchant=merchant, rule=gap, fingerprint="reporting_gap:woke:1:202611010900")
    AlertFactory(merchant=merchant, status="cleared")
    held = AlertFactory(merchant=merchant, severity="high", terminal=shop["terminal"])
    Hold.objects.create(alert=held, terminal=shop["terminal"], reason="check")
    board = _board(client, {})
    assert (board.open_alerts, board.missing, board.active_holds) == (3, 1, 1)


def test_no_reports_gives_zeros_and_no_shares(client, shop):
    board = _board(client, {"period": "today"})
    assert (board.volume, board.sales, board.average_ticket) == (Decimal(0), 0, None)
    assert board.on_time.percent is None and board.repeat.percent is None


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("today", (date(2026, 11, 19), date(2026, 11, 19))),
        ("week", (date(2026, 11, 16), date(2026, 11, 19))),
        ("month", (date(2026, 11, 1), date(2026, 11, 19))),
    ],
)
def test_presets_end_today(preset, expected):
    period = preset_period(preset, today=date(2026, 11, 19))  # a Thursday
    assert (period.date_from, period.date_to) == expected


def test_without_parameters_the_page_shows_this_month(client, shop):
    board = _board(client, {})
    assert board.period.preset == "month" and board.period.date_from.day == 1


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-01", "date_to": "2026-12-01"},
        {"date_from": "yesterday"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        {"date_from": "2024-01-01", "date_to": "2025-01-02"},
        {"date_to": "2026-05-01"},
        {"period": "decade"},
    ],
)
def test_bad_dates_are_a_form_error_and_this_month_is_shown(client, shop, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["board"].period.preset == "month"
    assert "errorbox" in response.content.decode() or "field-errors" in response.content.decode()


def test_a_range_of_366_days_is_accepted(client, shop):
    board = _board(client, {"date_from": "2025-01-01", "date_to": "2026-01-01"})
    assert board.period == Period(date(2025, 1, 1), date(2026, 1, 1))


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_without_a_merchant_are_sent_to_admin(client):
    client.force_login(StaffFactory())
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_the_navigation_links_the_dashboard_first(client, shop):
    html = client.get(URL).content.decode()
    nav = html.split('class="mainnav"')[1].split("</nav>")[0]
    assert f'href="{URL}" aria-current="page"' in nav
    assert nav.index(URL) < nav.index(reverse("transactions:reports"))


def test_an_approved_merchants_overview_links_the_dashboard(client, shop):
    html = client.get(reverse("merchants:overview")).content.decode()
    assert f'href="{URL}" data-testid="dashboard-link"' in html


def test_glance_shows_sales_of_today_this_week_and_this_month_side_by_side(client, shop):
    other = reporting_terminal()
    plant(other, at=timezone.now() - timedelta(minutes=2), amount="999.00")
    now = timezone.now()
    for days_ago, amount in [(0, "1.10"), (1, "2.20"), (3, "3.30"), (6, "4.40"), (9, "5.50")]:
        plant(shop["terminal"], at=now - timedelta(days=days_ago, minutes=2), amount=amount)
    sale = plant(shop["second"], at=now - timedelta(days=33), amount="6.60")
    plant(
        shop["terminal"],
        at=now - timedelta(minutes=1),
        type="refund",
        amount="1.00",
        original_report_id=str(sale.report_id),
    )
    today = timezone.localdate()
    expected = {}
    for preset in ("today", "week", "month"):
        period = preset_period(preset, today=today)
        sales = [
            r.amount
            for r in Report.objects.filter(merchant=shop["merchant"], type="sale")
            if period.date_from <= r.occurred_at.astimezone(SHANGHAI).date() <= today
        ]
        expected[preset] = (len(sales), sum(sales, Decimal(0)))
    response = client.get(URL, {"period": "today"})
    glance = {g.period.preset: (g.sales, g.volume) for _label, g in response.context["glance"]}
    assert glance == expected
    assert any(n for n, _amount in expected.values())  # not an empty comparison
    html = response.content.decode()
    assert f"¥{expected['month'][1]:.2f}" in html and 'data-testid="glance-week"' in html
