"""The merchants' daily rollups (mix, lateness, repeat cards) are kept exactly as reports are stored."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest

from merchants.models import ReportingSettings
from portal.common.beijing import SHANGHAI
from tests.transactions.audit.helpers import plant, plant_many, reporting_terminal, shanghai
from tests.transactions.helpers import BATCH, TerminalAPI, report
from transactions.analytics.rollups import rollup_fold, rollup_rebuild
from transactions.models import MerchantCard, MerchantDay, MerchantDayMix, Report, TerminalDay

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[list, list, list, list]:
    return (
        sorted(
            MerchantDay.objects.values_list(
                "merchant_id", "day", "reports", "late", "card_sales", "repeat_sales"
            )
        ),
        sorted(
            MerchantDayMix.objects.filter(reports__gt=0).values_list(
                "merchant_id", "day", "method", "type", "reports", "amount"
            )
        ),
        sorted(
            MerchantCard.objects.values_list(
                "merchant_id", "card_token", "first_day", "first_day_sales"
            )
        ),
        sorted(TerminalDay.objects.values_list("terminal_id", "day", "reports", "sales_amount")),
    )


def _repeat_by_definition(merchant_id: int) -> dict:
    """(card sales, repeat sales) per day, straight from the reports."""
    sales = Report.objects.filter(merchant_id=merchant_id, type="sale").exclude(card_token="")
    first: dict[str, object] = {}
    for token, at in sales.values_list("card_token", "occurred_at"):
        day = at.astimezone(SHANGHAI).date()
        first[token] = min(first.get(token, day), day)
    days: dict = defaultdict(lambda: [0, 0])
    for token, at in sales.values_list("card_token", "occurred_at"):
        day = at.astimezone(SHANGHAI).date()
        days[day][0] += 1
        days[day][1] += day > first[token]
    return {day: tuple(v) for day, v in days.items()}


def _repeat_kept(merchant_id: int) -> dict:
    return {
        d.day: (d.card_sales, d.repeat_sales)
        for d in MerchantDay.objects.filter(merchant_id=merchant_id)
        if d.card_sales
    }


def test_a_report_counts_on_its_merchants_shanghai_day_by_method_and_type():
    terminal = reporting_terminal()
    at = shanghai(2, 0, 30)  # 16:30 UTC the day before
    plant(terminal, at=at, amount="88.80", method="wechat", masked_pan=None, card_token=None)
    mix = MerchantDayMix.objects.get()
    assert (mix.merchant_id, mix.day, mix.method, mix.type) == (
        terminal.merchant_id,
        at.date(),
        "wechat",
        "sale",
    )
    assert (mix.reports, mix.amount) == (1, Decimal("88.80"))
    day = MerchantDay.objects.get()
    assert (day.reports, day.late, day.card_sales) == (1, 0, 0)


def test_methods_and_types_have_rows_of_their_own():
    terminal = reporting_terminal()
    sale = plant(terminal, at=shanghai(1, 10), amount="100.00")
    plant(
        terminal,
        at=shanghai(1, 11),
        type="refund",
        amount="40.00",
        original_report_id=str(sale.report_id),
    )
    plant(terminal, at=shanghai(1, 12), amount="5.00", method="debit_card")
    plant(terminal, at=shanghai(1, 13), amount="6.00")
    rows = {(m.method, m.type): (m.reports, m.amount) for m in MerchantDayMix.objects.all()}
    assert rows == {
        ("credit_card", "sale"): (2, Decimal("106.00")),
        ("credit_card", "refund"): (1, Decimal("40.00")),
        ("debit_card", "sale"): (1, Decimal("5.00")),
    }


def test_a_report_received_after_the_merchants_deadline_is_late():
    terminal = reporting_terminal()
    ReportingSettings.objects.filter(merchant=terminal.merchant).update(deadline_hours=2)
    at = shanghai(3, 9)
    plant(terminal, at=at, received=at + timedelta(hours=2))  # on the deadline: on time
    plant(terminal, at=at, received=at + timedelta(hours=2, seconds=1))
    day = MerchantDay.objects.get()
    assert (day.reports, day.late) == (2, 1)


def test_without_reporting_settings_the_deadline_is_24_hours():
    terminal = reporting_terminal()
    ReportingSettings.objects.filter(merchant=terminal.merchant).delete()
    at = shanghai(3, 9)
    plant(terminal, at=at, received=at + timedelta(hours=23))
    plant(terminal, at=at, received=at + timedelta(hours=25))
    assert MerchantDay.objects.get().late == 1


def test_a_card_seen_on_an_earlier_day_makes_a_repeat_sale():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(5, 10), card_token="card-a")
    plant(terminal, at=shanghai(5, 11), card_token="card-a")  # same day: not a repeat
    plant(terminal, at=shanghai(4, 10), card_token="card-a")
    plant(terminal, at=shanghai(4, 11), card_token="card-b")
    assert _repeat_kept(terminal.merchant_id) == {
        shanghai(5, 0).date(): (2, 0),
        shanghai(4, 0).date(): (2, 1),
    }


def test_a_late_report_for_an_earlier_day_turns_the_cards_first_day_into_repeats():
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(3, 10), card_token="card-a")
    plant(terminal, at=shanghai(3, 12), card_token="card-a")
    plant(terminal, at=shanghai(1, 10), card_token="card-a")
    plant(terminal, at=shanghai(6, 10), card_token="card-a")  # arrives last, happened first
    kept = _repeat_kept(terminal.merchant_id)
    assert kept == _repeat_by_definition(terminal.merchant_id)
    assert kept[shanghai(3, 0).date()] == (2, 2)
    assert MerchantCard.objects.get().first_day == shanghai(6, 0).date()


def test_one_batch_over_several_days_counts_its_own_repeats():
    terminal = reporting_terminal()
    plant_many(
        terminal,
        [shanghai(4, 9), shanghai(4, 10), shanghai(2, 9), shanghai(1, 9)],
        card_token="card-z",
    )
    assert _repeat_kept(terminal.merchant_id) == _repeat_by_definition(terminal.merchant_id)
    assert MerchantCard.objects.get().first_day_sales == 2


def test_cards_are_counted_per_merchant():
    first, second = reporting_terminal(), reporting_terminal()
    plant(first, at=shanghai(3, 10), card_token="shared")
    plant(second, at=shanghai(2, 10), card_token="shared")
    assert _repeat_kept(second.merchant_id) == {shanghai(2, 0).date(): (1, 0)}
    assert MerchantCard.objects.count() == 2


def test_refunds_and_sales_without_a_card_token_are_not_card_sales():
    terminal = reporting_terminal()
    sale = plant(terminal, at=shanghai(3, 10), card_token="card-a")
    plant(
        terminal,
        at=shanghai(2, 10),
        type="refund",
        card_token="card-a",
        original_report_id=str(sale.report_id),
    )
    plant(terminal, at=shanghai(2, 11), method="alipay", masked_pan=None, card_token=None)
    assert _repeat_kept(terminal.merchant_id) == {shanghai(3, 0).date(): (1, 0)}


def test_a_resent_report_adds_nothing(client):
    api = TerminalAPI(client, reporting_terminal())
    row = report(api.terminal, amount="10.00")
    assert api.post(BATCH, {"reports": [row]}).status_code == 200
    assert api.post(BATCH, {"reports": [row]}).json()["duplicates"] == 1
    assert MerchantDay.objects.get().reports == 1
    assert MerchantDayMix.objects.get().reports == 1
    assert MerchantCard.objects.get().first_day_sales == 1


def _mixed_history() -> list:
    terminals = [reporting_terminal(), reporting_terminal()]
    ReportingSettings.objects.filter(merchant=terminals[1].merchant).update(deadline_hours=6)
    planted = []
    for i in range(30):
        at = shanghai(10 - i % 9, 8 + i % 12)
        planted.append(
            plant(
                terminals[i % 2],
                at=at,
                received=at + timedelta(hours=i % 8, minutes=1),
                amount=f"{10 + i}.{i % 100:02d}",
                type="preauth" if i % 7 == 0 else "sale",
                method=["credit_card", "debit_card"][i % 2],
                card_token=f"card-{i % 4}",
            )
        )
    return planted


def test_a_rebuild_from_the_reports_gives_what_ingestion_kept():
    _mixed_history()
    kept = _snapshot()
    rollup_rebuild()
    assert _snapshot() == kept


def test_folding_reports_in_counts_them_like_ingestion():
    planted = _mixed_history()
    kept = _snapshot()
    rollup_fold(Report.objects.filter(pk__in=[r.pk for r in planted[20:]]), sign=-1)
    rollup_fold(Report.objects.filter(pk__in=[r.pk for r in planted[20:]]))
    assert _snapshot() == kept


def test_folding_reports_out_takes_exactly_them_away():
    planted = _mixed_history()
    later = planted[25:]
    ids = [r.pk for r in later]
    rollup_fold(Report.objects.filter(pk__in=ids), sign=-1)
    folded = _snapshot()
    Report.objects.filter(pk__in=ids).delete()
    rollup_rebuild()
    assert folded[1:] == _snapshot()[1:]
    # Days may keep a row with nothing left in it; what is counted is the same.
    counted = [row for row in folded[0] if any(row[2:])]
    assert counted == [row for row in _snapshot()[0] if any(row[2:])]


@pytest.mark.django_db(transaction=True)
def test_two_terminals_of_a_merchant_ingesting_at_once_count_a_card_once():
    """The second ingest counts the card the first one is still committing as already seen.

    Kept exact by the per-merchant advisory lock around the cards (today the terminal lock of
    ``store_reports`` also happens to lock the merchant row, so this holds twice over).
    """
    import threading
    import time

    from django.db import connection, connections, transaction

    from tests.factories import TerminalFactory

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    first = reporting_terminal()
    second = TerminalFactory(active=True, merchant=first.merchant)
    early, late = shanghai(5, 10), shanghai(3, 10)
    first_stored, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def ingest_first() -> None:
        try:
            with transaction.atomic():
                plant(first, at=early, card_token="card-x")
                first_stored.set()
                second_started.wait(10)
                time.sleep(0.5)  # let the second ingest reach the cards and wait there
        except BaseException as exc:
            errors.append(exc)
        finally:
            first_stored.set()
            connections.close_all()

    def ingest_second() -> None:
        try:
            first_stored.wait(10)
            second_started.set()
            plant(second, at=late, card_token="card-x")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ingest_first), threading.Thread(target=ingest_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert _repeat_kept(first.merchant_id) == {early.date(): (1, 0), late.date(): (1, 1)}
