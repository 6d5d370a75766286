"""The daily totals per terminal are kept exactly as the reports are stored."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.common.beijing import SHANGHAI
from tests.transactions.audit.helpers import plant, reporting_terminal, shanghai
from tests.transactions.helpers import BATCH, TerminalAPI, report
from transactions.analytics.rollups import rollup_fold, rollup_rebuild
from transactions.models import HOUR_FIELDS, Report, TerminalDay

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    return sorted(
        (d.terminal_id, d.merchant_id, d.day, d.reports, d.sales, d.sales_amount, *d.hours())
        for d in TerminalDay.objects.all()
    )


def test_a_stored_report_counts_on_its_shanghai_day_and_hour():
    terminal = reporting_terminal()
    # 00:30 in Shanghai is 16:30 UTC the day before: the Shanghai day and hour count.
    at = shanghai(2, 0, 30)
    plant(terminal, at=at, amount="88.80")
    day = TerminalDay.objects.get(terminal=terminal)
    assert (day.day, day.merchant_id) == (at.date(), terminal.merchant_id)
    assert (day.reports, day.sales, day.sales_amount) == (1, 1, Decimal("88.80"))
    assert day.hours() == [1] + [0] * 23


def test_only_sales_add_to_the_sales_but_every_report_to_the_hours():
    terminal = reporting_terminal()
    sale = plant(terminal, at=shanghai(1, 10), amount="100.00")
    plant(
        terminal,
        at=shanghai(1, 11),
        type="refund",
        amount="40.00",
        original_report_id=str(sale.report_id),
    )
    plant(terminal, at=shanghai(1, 11, 30), amount="0.50")
    day = TerminalDay.objects.get(terminal=terminal)
    assert (day.reports, day.sales, day.sales_amount) == (3, 2, Decimal("100.50"))
    assert (day.h10, day.h11) == (1, 2)


def test_days_and_terminals_are_kept_apart():
    first, second = reporting_terminal(), reporting_terminal()
    plant(first, at=shanghai(3, 9))
    plant(first, at=shanghai(2, 9))
    plant(second, at=shanghai(2, 9))
    assert TerminalDay.objects.count() == 3
    assert TerminalDay.objects.filter(terminal=first).count() == 2


def test_a_resent_or_conflicting_report_adds_nothing(client):
    api = TerminalAPI(client, reporting_terminal())
    row = report(api.terminal, amount="10.00")
    assert api.post(BATCH, {"reports": [row]}).status_code == 200
    assert api.post(BATCH, {"reports": [row]}).json()["duplicates"] == 1
    assert api.post(BATCH, {"reports": [{**row, "amount": "11.00"}]}).status_code == 200
    day = TerminalDay.objects.get()
    assert (day.reports, day.sales_amount) == (1, Decimal("10.00"))


def test_rejected_rows_of_a_batch_add_nothing(client):
    api = TerminalAPI(client, reporting_terminal())
    good = report(api.terminal, amount="10.00")
    bad = report(api.terminal, amount="-5")
    body = api.post(BATCH, {"reports": [good, bad]}).json()
    assert body["accepted"] == 1 and len(body["rejected"]) == 1
    assert TerminalDay.objects.get().reports == 1


def test_a_rebuild_from_the_reports_gives_what_ingestion_kept():
    terminals = [reporting_terminal(), reporting_terminal()]
    start = timezone.now() - timedelta(days=3)
    for i in range(40):
        at = start + timedelta(hours=i * 1.7)
        plant(
            terminals[i % 2],
            at=at,
            amount=f"{10 + i}.{i % 100:02d}",
            type="sale" if i % 5 else "preauth",
        )
    kept = _snapshot()
    rollup_rebuild()
    assert _snapshot() == kept


def test_folding_reports_out_takes_exactly_them_away():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 8), amount="5.00")
    before = _snapshot()
    late = plant(terminal, at=shanghai(1, 20), amount="7.00")
    rollup_fold(Report.objects.filter(pk=late.pk), sign=-1)
    assert _snapshot() == before


def test_every_hour_has_its_column():
    assert len(HOUR_FIELDS) == 24
    terminal = reporting_terminal()
    base = datetime.combine(shanghai(4, 0).date(), datetime.min.time(), SHANGHAI)
    for hour in range(24):
        plant(terminal, at=base + timedelta(hours=hour, minutes=hour))
    assert TerminalDay.objects.get().hours() == [1] * 24
