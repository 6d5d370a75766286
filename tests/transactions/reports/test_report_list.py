"""The merchant's report list: filters, search, sorting, keyset pages, bad input, isolation."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.transactions.alert_factories import AlertFactory
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report, make_reports, signed_in_shop
from transactions.models import AlertStatus, Hold, ReportAmendment
from transactions.reports.filters import search_kind
from transactions.reports.pages import PAGE_SIZE

pytestmark = pytest.mark.django_db

URL = reverse("transactions:reports")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shop(client) -> dict[str, Any]:
    return signed_in_shop(client)


def _pks(response: Any) -> list[int]:
    return [r.pk for r in response.context["page"].reports]


def _get(client: Any, **params: Any) -> Any:
    return client.get(URL, params)


# Filters


def test_list_shows_own_reports_newest_first(client, shop):
    old, new = make_reports(shop["terminal"], 2)
    assert _pks(_get(client)) == [new.pk, old.pk]


def test_list_never_shows_another_merchants_reports(client, shop):
    mine = make_report(shop["terminal"])
    make_report(reporting_terminal())
    assert _pks(_get(client)) == [mine.pk]


def test_date_range_is_inclusive_local_days(client, shop):
    t = shop["terminal"]
    # 23:30 on 1 March in Beijing is still 1 March there (15:30 UTC).
    first = make_report(t, occurred_at=datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI))
    second = make_report(t, occurred_at=datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI))
    make_report(t, occurred_at=datetime(2026, 3, 3, 0, 0, tzinfo=SHANGHAI))
    response = _get(client, date_from="2026-03-01", date_to="2026-03-02")
    assert _pks(response) == [second.pk, first.pk]
    assert _pks(_get(client, date_from="2026-03-02", date_to="2026-03-02")) == [second.pk]


def test_terminal_filter_shows_that_terminal_only(client, shop):
    other = reporting_terminal(merchant=shop["merchant"])
    make_report(shop["terminal"])
    theirs = make_report(other)
    assert _pks(_get(client, terminal=other.pk)) == [theirs.pk]


@pytest.mark.parametrize(
    ("field", "wanted", "unwanted"),
    [("method", "wechat", "credit_card"), ("type", "refund", "sale")],
)
def test_method_and_type_filters(client, shop, field, wanted, unwanted):
    hit = make_report(shop["terminal"], **{field: wanted})
    make_report(shop["terminal"], **{field: unwanted})
    assert _pks(_get(client, **{field: wanted})) == [hit.pk]


def test_amount_range_is_inclusive(client, shop):
    _r1, r2, r3, _r4 = make_reports(shop["terminal"], 4)  # 1.00 … 4.00
    assert _pks(_get(client, amount_min="2", amount_max="3.00")) == [r3.pk, r2.pk]


def test_held_filter_yes_and_no(client, shop):
    held, free = make_reports(shop["terminal"], 2)
    alert = AlertFactory(merchant=shop["merchant"])
    Hold.objects.create(alert=alert, report=held, reason="suspicious")
    assert _pks(_get(client, held="yes")) == [held.pk]
    assert _pks(_get(client, held="no")) == [free.pk]


def test_held_terminal_holds_all_its_reports(client, shop):
    one, two = make_reports(shop["terminal"], 2)
    alert = AlertFactory(merchant=shop["merchant"])
    Hold.objects.create(alert=alert, terminal=shop["terminal"], reason="terminal stolen")
    assert _pks(_get(client, held="yes")) == [two.pk, one.pk]
    assert _pks(_get(client, held="no")) == []


def test_released_hold_is_not_held(client, shop):
    report = make_report(shop["terminal"])
    alert = AlertFactory(merchant=shop["merchant"])
    Hold.objects.create(alert=alert, report=report, reason="x", released_at=timezone.now())
    assert _pks(_get(client, held="yes")) == []


def test_status_under_review_is_an_open_alert(client, shop):
    open_one, cleared_one, _none = make_reports(shop["terminal"], 3)
    AlertFactory(merchant=shop["merchant"]).reports.add(open_one)
    AlertFactory(merchant=shop["merchant"], status=AlertStatus.CLEARED).reports.add(cleared_one)
    assert _pks(_get(client, status="under_review")) == [open_one.pk]


def test_status_amended(client, shop):
    amended, _plain = make_reports(shop["terminal"], 2)
    ReportAmendment.objects.create(report=amended, changes={"amount": "1.50"}, reason="typo")
    assert _pks(_get(client, status="amended")) == [amended.pk]


# Search


@pytest.mark.parametrize(
    ("q", "kind"),
    [("1234", "last4"), ("000123", "trace"), ("331234567890", "rrn"), ("AB12", "rrn"), ("", "")],
)
def test_search_kind_is_told_by_the_shape(q, kind):
    assert search_kind(q) == kind


def test_search_by_rrn(client, shop):
    hit = make_report(shop["terminal"], rrn="331234567890")
    make_report(shop["terminal"])
    assert _pks(_get(client, q="331234567890")) == [hit.pk]


def test_search_by_trace_number(client, shop):
    hit = make_report(shop["terminal"], trace_no="424242")
    make_report(shop["terminal"])
    assert _pks(_get(client, q="424242")) == [hit.pk]


def test_search_by_card_last4(client, shop):
    hit = make_report(shop["terminal"], masked_pan="622848******9876")
    make_report(shop["terminal"], masked_pan="622848******1234")
    make_report(shop["terminal"], method="wechat", masked_pan="", trace_no="009876")
    assert _pks(_get(client, q="9876")) == [hit.pk]


@pytest.mark.parametrize("sort", ["time_desc", "amount_asc"])
def test_search_results_are_sorted_and_paged_like_the_list(client, shop, sort):
    start = timezone.now() - timedelta(days=1)
    hits = [
        make_report(
            shop["terminal"],
            masked_pan="622848******5555",
            occurred_at=start + timedelta(minutes=i // 2),
            amount=Decimal(f"{(i * 37) % 11}.00"),
        )
        for i in range(PAGE_SIZE + 9)
    ]
    make_report(shop["terminal"], masked_pan="622848******4444")
    pages = _walk(client, q="5555", sort=sort)
    column, reverse = ("occurred_at", True) if sort == "time_desc" else ("amount", False)
    expected = sorted(hits, key=lambda r: (getattr(r, column), r.pk), reverse=reverse)
    assert [pk for page in pages for pk in page] == [r.pk for r in expected]
    second = _get(
        client, q="5555", sort=sort, cursor=_get(client, q="5555", sort=sort).context["page"].older
    )
    back = _get(client, q="5555", sort=sort, cursor=second.context["page"].newer)
    assert _pks(back) == pages[0]


def test_search_with_other_characters_is_a_form_error(client, shop):
    response = _get(client, q="12-34 ' OR 1=1")
    assert response.status_code == 400
    assert "q" in response.context["form"].errors


# Sorting


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("time_desc", [3, 2, 1, 0]),
        ("time_asc", [0, 1, 2, 3]),
        ("amount_desc", [1, 3, 0, 2]),
        ("amount_asc", [2, 0, 3, 1]),
    ],
)
def test_sorting(client, shop, sort, order):
    start = timezone.now() - timedelta(days=1)
    amounts = ["20.00", "90.00", "5.00", "30.00"]
    reports = [
        make_report(shop["terminal"], occurred_at=start + timedelta(minutes=i), amount=Decimal(a))
        for i, a in enumerate(amounts)
    ]
    assert _pks(_get(client, sort=sort)) == [reports[i].pk for i in order]


# Keyset pages


def _walk(client: Any, **params: Any) -> list[list[int]]:
    """Every page from the first by the "next" links."""
    pages, cursor = [], ""
    while True:
        response = _get(client, **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200
        pages.append(_pks(response))
        cursor = response.context["page"].older
        if not cursor:
            return pages


@pytest.mark.parametrize("sort", ["time_desc", "amount_asc"])
def test_pages_neither_overlap_nor_skip(client, shop, sort):
    start = timezone.now() - timedelta(days=1)
    # Equal times and amounts in pairs: the pk must break ties across page boundaries.
    reports = [
        make_report(
            shop["terminal"],
            occurred_at=start + timedelta(minutes=i // 2),
            amount=Decimal(f"{i // 2}.00"),
        )
        for i in range(2 * PAGE_SIZE + 7)
    ]
    pages = _walk(client, sort=sort)
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 7]
    seen = [pk for page in pages for pk in page]
    assert sorted(seen) == sorted(r.pk for r in reports)
    assert len(set(seen)) == len(seen)


def test_previous_page_link_returns_the_same_page(client, shop):
    make_reports(shop["terminal"], 2 * PAGE_SIZE + 1)
    first = _get(client)
    second = _get(client, cursor=first.context["page"].older)
    third = _get(client, cursor=second.context["page"].older)
    back = _get(client, cursor=third.context["page"].newer)
    assert _pks(back) == _pks(second)
    again = _get(client, cursor=back.context["page"].newer)
    assert _pks(again) == _pks(first)
    assert again.context["page"].newer == ""  # the first page has no previous page


def test_filters_stay_on_the_page_links(client, shop):
    make_reports(shop["terminal"], PAGE_SIZE + 1)
    response = _get(client, method="credit_card", sort="amount_asc")
    older = response.context["page"].older
    html = response.content.decode()
    assert "method=credit_card" in html and "sort=amount_asc" in html
    assert _pks(_get(client, method="credit_card", sort="amount_asc", cursor=older))


@pytest.mark.parametrize("cursor", ["garbage", "eyJzIjoidGltZV9kZXNjIn0:abc:def", "x" * 500])
def test_tampered_cursor_is_a_clear_error(client, shop, cursor):
    make_reports(shop["terminal"], 3)
    response = _get(client, cursor=cursor)
    assert response.status_code == 400
    assert response.context["cursor_error"]
    assert b"not valid" in response.content


def test_cursor_of_another_sort_is_refused(client, shop):
    make_reports(shop["terminal"], PAGE_SIZE + 1)
    cursor = _get(client).context["page"].older
    response = _get(client, sort="amount_desc", cursor=cursor)
    assert response.status_code == 400 and response.context["cursor_error"]


def test_total_comes_from_the_daily_rollups_when_only_days_are_filtered(client, shop):
    from tests.transactions.audit.helpers import plant

    plant(shop["terminal"], rrn="100000000001")
    plant(shop["terminal"], rrn="100000000002")
    assert _get(client).context["total"] == 2
    assert _get(client, method="wechat").context["total"] is None


# Bad input


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"amount_min": "abc"}, "amount_min"),
        ({"amount_max": "-5"}, "amount_max"),
        ({"amount_min": "1e400"}, "amount_min"),
        ({"amount_min": "10", "amount_max": "5"}, "amount_max"),
        ({"method": "cash"}, "method"),
        ({"type": "bogus"}, "type"),
        ({"sort": "rrn"}, "sort"),
        ({"held": "maybe"}, "held"),
        ({"status": "lost"}, "status"),
        ({"terminal": "not-a-number"}, "terminal"),
        ({"terminal": "99999999999999999999999"}, "terminal"),
        ({"q": "12\x0034"}, "q"),
    ],
)
def test_bad_filters_are_form_errors_not_500(client, shop, params, field):
    make_report(shop["terminal"])
    response = _get(client, **params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["page"].reports == []


def test_another_merchants_terminal_is_refused(client, shop):
    foreign = reporting_terminal()
    make_report(foreign)
    response = _get(client, terminal=foreign.pk)
    assert response.status_code == 400
    assert "terminal" in response.context["form"].errors


def test_form_fields_have_labels_and_export_buttons(client, shop):
    html = _get(client).content.decode()
    for name in ("date_from", "date_to", "terminal", "method", "amount_min", "q", "sort"):
        assert f'<label for="id_{name}">' in html
    assert "Export CSV" in html and "Export Excel" in html


def test_viewer_without_membership_is_refused(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
