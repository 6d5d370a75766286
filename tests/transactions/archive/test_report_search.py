"""The merchant's report list, "Include archived months": the slower path, the merchant's own rows."""

from decimal import Decimal

import pytest

from tests.transactions.archive.helpers import due_month, local, reports_in
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report, signed_in_shop
from transactions.archive.services import archive_month_run

pytestmark = pytest.mark.django_db
URL = "/merchant/reports/"


@pytest.fixture
def shop(client):
    return signed_in_shop(client)


@pytest.fixture
def archived(shop):
    month = due_month()
    mine = make_report(
        shop["terminal"], occurred_at=local(month, 7), rrn="111122223333", amount=Decimal("77.70")
    )
    reports_in(month, 2, shop["terminal"])
    theirs = make_report(reporting_terminal(), occurred_at=local(month, 7), rrn="999988887777")
    archive_month_run(month=month)
    return month, mine, theirs


def test_without_the_option_the_archive_is_not_searched(client, archived):
    response = client.get(URL, {"q": "111122223333"})
    assert response.status_code == 200
    assert 'data-testid="archived-reports"' not in response.content.decode()


def test_with_the_option_archived_reports_are_listed_and_said_to_be_slower(client, archived):
    response = client.get(URL, {"q": "111122223333", "archived": "on"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="archived-row"') == 1
    assert "111122223333" in body and "77.70" in body
    assert "slower" in body


def test_filters_apply_to_the_archive(client, archived):
    month, _mine, _theirs = archived
    response = client.get(
        URL,
        {
            "archived": "on",
            "amount_min": "70",
            "amount_max": "80",
            "date_from": f"{month:%Y-%m}-07",
            "date_to": f"{month:%Y-%m}-07",
        },
    )
    assert response.content.decode().count('data-testid="archived-row"') == 1


def test_the_card_last4_and_rrn_end_search_the_archive(client, archived):
    assert (
        client.get(URL, {"archived": "on", "q": "0000"})
        .content.decode()
        .count('data-testid="archived-row"')
        == 3
    )
    assert (
        client.get(URL, {"archived": "on", "rrn_end": "3333"})
        .content.decode()
        .count('data-testid="archived-row"')
        == 1
    )


def test_only_the_merchants_own_archived_rows(client, archived):
    body = client.get(URL, {"archived": "on"}).content.decode()
    assert body.count('data-testid="archived-row"') == 3
    assert "999988887777" not in body


def test_status_filters_say_the_archive_was_not_searched(client, archived):
    body = client.get(URL, {"archived": "on", "status": "amended"}).content.decode()
    assert 'data-testid="archive-not-asked"' in body
    assert 'data-testid="archived-row"' not in body


@pytest.mark.parametrize(("sort", "first"), [("amount_asc", "77.70"), ("amount_desc", "100.00")])
def test_sorted_by_amount(client, archived, sort, first):
    body = client.get(URL, {"archived": "on", "sort": sort}).content.decode()
    section = body[body.index('data-testid="archived-reports"') :]
    amounts = [a for a in ("77.70", "100.00") if a in section]
    assert min(amounts, key=section.index) == first


def test_a_report_kept_hot_is_listed_once_in_the_hot_list(client, shop):
    from tests.transactions.alert_factories import AlertFactory
    from transactions.models import AlertReport

    month = due_month()
    kept = make_report(shop["terminal"], occurred_at=local(month, 3), rrn="565656565656")
    AlertReport.objects.create(alert=AlertFactory(merchant=shop["merchant"]), report=kept)
    archive_month_run(month=month)

    body = client.get(URL, {"archived": "on", "q": "565656565656"}).content.decode()
    assert body.count('data-testid="report-row"') == 1
    assert body.count('data-testid="archived-row"') == 0


def test_the_search_stops_at_its_limit_newest_first(shop):
    from transactions.archive.selectors import ArchiveQuery, archive_search

    older, newer = due_month(1), due_month()
    reports_in(older, 3, shop["terminal"])
    newest = make_report(shop["terminal"], occurred_at=local(newer, 28))
    reports_in(newer, 2, shop["terminal"])
    archive_month_run(month=older)
    archive_month_run(month=newer)

    found = archive_search(merchant=shop["merchant"], query=ArchiveQuery(), limit=2)

    assert found.truncated and len(found.rows) == 2
    assert found.rows[0]["id"] == newest.pk
    assert found.months == 1  # the older month was not read
