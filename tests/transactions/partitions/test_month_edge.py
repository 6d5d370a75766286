"""Rollups, the dashboard, the report list and its export, audits across a month edge (Beijing).

Run on both databases; on PostgreSQL the two reports sit in two partitions.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.common.beijing import SHANGHAI, add_months, month_of
from tests.transactions.audit.helpers import alert_of, audit, only_rule, plant, report_ids
from tests.transactions.helpers import REPORTS, TerminalAPI, report, reporting_terminal
from tests.transactions.report_factories import signed_in_shop
from transactions.analytics.dashboard import Period, merchant_dashboard
from transactions.analytics.rollups import rollup_rebuild
from transactions.models import MerchantDay, Report
from transactions.partitions.selectors import reports_partitioned
from transactions.partitions.services import partition_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def edge(client):
    """A shop with a sale at 23:59 on the last day of last month and one at 00:01 this month."""
    shop = signed_in_shop(client)
    this = month_of(timezone.now())
    if reports_partitioned():
        partition_create(month=add_months(this, -1), actor="test")
    last_day = this - timedelta(days=1)
    api = TerminalAPI(client, terminal=shop["terminal"])
    for at, amount in (
        (f"{last_day}T23:59:00+08:00", "10.00"),
        (f"{this}T00:01:00+08:00", "20.00"),
    ):
        assert (
            api.post(REPORTS, report(api.terminal, occurred_at=at, amount=amount)).status_code
            == 201
        )
    return {**shop, "this": this, "last_day": last_day}


def test_the_daily_rollups_put_each_sale_on_its_beijing_day(edge):
    days = dict(MerchantDay.objects.filter(merchant=edge["merchant"]).values_list("day", "reports"))
    assert days == {edge["last_day"]: 1, edge["this"]: 1}


def test_rebuilding_the_rollups_from_the_reports_counts_the_same(edge):
    before = sorted(MerchantDay.objects.values_list("merchant_id", "day", "reports", "card_sales"))
    MerchantDay.objects.all().delete()
    rollup_rebuild()
    assert (
        sorted(MerchantDay.objects.values_list("merchant_id", "day", "reports", "card_sales"))
        == before
    )


def test_the_dashboard_of_each_month_sees_its_own_sale(edge):
    this_month = merchant_dashboard(
        merchant=edge["merchant"], period=Period(edge["this"], edge["this"])
    )
    both = merchant_dashboard(
        merchant=edge["merchant"], period=Period(edge["last_day"], edge["this"])
    )
    assert (this_month.reports, both.reports) == (1, 2)


def test_the_report_list_and_export_across_the_edge_show_both(edge, client):
    query = {"date_from": f"{edge['last_day']}", "date_to": f"{edge['this']}"}
    response = client.get(reverse("transactions:report_export_csv"), query)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert len(rows) == 2 == Report.objects.count()
    only_last = client.get(
        reverse("transactions:report_export_csv"), {**query, "date_to": query["date_from"]}
    )
    assert (
        len(
            list(csv.reader(io.StringIO(b"".join(only_last.streaming_content).decode("utf-8-sig"))))
        )
        == 2
    )


def test_an_audit_pairs_a_duplicate_across_the_month_edge():
    # 20 s apart, one at 23:59:50 on the last day of last month, one at 00:00:10 this month.
    only_rule("duplicate")
    this = month_of(timezone.now())
    if reports_partitioned():
        partition_create(month=add_months(this, -1), actor="test")
    terminal = reporting_terminal()
    midnight = datetime.combine(this, time.min, tzinfo=SHANGHAI)
    first = plant(terminal, at=midnight - timedelta(seconds=10), amount="88.00")
    second = plant(terminal, at=midnight + timedelta(seconds=10), amount="88.00")
    audit()
    assert report_ids(alert_of("duplicate")) == {first.pk, second.pk}
