"""The report list finds reports by the last 4 or 6 digits of their RRN; other lengths are form
errors; the search is served by the (merchant, RIGHT(rrn, 4)) index on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report, signed_in_shop
from transactions.reports.filters import ReportFilters, reports_filtered

pytestmark = pytest.mark.django_db

URL = reverse("transactions:reports")


@pytest.fixture
def shop(client) -> dict[str, Any]:
    return signed_in_shop(client)


def _pks(response: Any) -> list[int]:
    assert response.status_code == 200, response.context["form"].errors
    return sorted(r.pk for r in response.context["page"].reports)


def test_the_last_4_digits_find_every_report_whose_rrn_ends_with_them(client, shop):
    one = make_report(shop["terminal"], rrn="331200561234")
    two = make_report(shop["terminal"], rrn="331200981234")
    make_report(shop["terminal"], rrn="123433120056")  # starts with them
    make_report(shop["terminal"], rrn="331212340056")  # has them in the middle
    make_report(shop["terminal"], rrn="331200561235")
    assert _pks(client.get(URL, {"rrn_end": "1234"})) == sorted([one.pk, two.pk])


def test_the_last_6_digits_narrow_it_down(client, shop):
    hit = make_report(shop["terminal"], rrn="331200561234")
    make_report(shop["terminal"], rrn="331200981234")
    assert _pks(client.get(URL, {"rrn_end": "561234"})) == [hit.pk]


def test_an_rrn_with_letters_is_found_by_its_last_digits(client, shop):
    hit = make_report(shop["terminal"], rrn="AB12CD561234")
    assert _pks(client.get(URL, {"rrn_end": "561234"})) == [hit.pk]


def test_full_width_digits_are_read_as_digits(client, shop):
    hit = make_report(shop["terminal"], rrn="331200561234")
    assert _pks(client.get(URL, {"rrn_end": "１２３４"})) == [hit.pk]


def test_the_rrn_end_goes_with_the_other_filters(client, shop):
    card = make_report(shop["terminal"], rrn="331200561234", masked_pan="622848******9876")
    make_report(shop["terminal"], rrn="331200981234", masked_pan="622848******1111")
    assert _pks(client.get(URL, {"rrn_end": "1234", "q": "9876"})) == [card.pk]


def test_another_merchants_report_with_the_same_end_is_not_found(client, shop):
    make_report(reporting_terminal(), rrn="999999561234")
    assert _pks(client.get(URL, {"rrn_end": "561234"})) == []


def test_nothing_matching_is_an_empty_list_not_an_error(client, shop):
    make_report(shop["terminal"], rrn="331200561234")
    assert _pks(client.get(URL, {"rrn_end": "000000"})) == []


@pytest.mark.parametrize(
    "end", ["123", "12345", "1234567", "331200561234", "12a4", "12 34", "١٢٣٤", "-1234", "%234"]
)
def test_other_lengths_and_characters_are_a_form_error(client, shop, end):
    make_report(shop["terminal"], rrn="331200561234")
    response = client.get(URL, {"rrn_end": end})
    assert response.status_code == 400
    assert "rrn_end" in response.context["form"].errors
    assert response.context["page"].reports == []


def test_the_form_says_what_to_enter(client, shop):
    content = client.get(URL).content.decode()
    assert 'name="rrn_end"' in content
    assert (
        "The last 4 or 6 digits of the RRN." in content
        or "检索参考号（RRN）的后 4 位或后 6 位。" in content
    )


def test_the_export_has_the_same_rows_as_the_list(client, shop):
    make_report(shop["terminal"], rrn="331200561234")
    make_report(shop["terminal"], rrn="331200561299")
    response = client.get(reverse("transactions:report_export_csv"), {"rrn_end": "1234"})
    body = b"".join(response.streaming_content).decode()
    assert "331200561234" in body and "331200561299" not in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
@pytest.mark.parametrize("end", ["1234", "561234"])
def test_postgresql_probes_the_rrn_index(shop, end):
    terminal = shop["terminal"]
    for n in range(300):
        make_report(terminal, rrn=f"3312{n:08d}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE transactions_report")
    reports = reports_filtered(merchant=terminal.merchant, filters=ReportFilters(rrn_end=end))
    with transaction.atomic(), connection.cursor() as cursor:
        # A test table is small enough to read whole; what matters is that the index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = reports[:51].explain()
    assert "report_merchant_rrn4" in plan, plan
