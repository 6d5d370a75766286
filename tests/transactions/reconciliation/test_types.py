"""A line settles a report of its own kind only: a refund never settles the sale it refers to."""

from __future__ import annotations

import pytest

from tests.transactions.audit.helpers import plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.reconciliation.factories import MAPPING, AcquirerFactory, line_for
from tests.transactions.reconciliation.factories import reconcile as reconcile_rows
from transactions.models import SettlementLineOutcome

pytestmark = pytest.mark.django_db

UNTYPED = {field: header for field, header in MAPPING.items() if field != "type"}


@pytest.fixture
def sale():
    return plant(reporting_terminal(), at=shanghai(2, 10), rrn="331200000001", amount="100.50")


def reconcile(rows, **acquirer):
    return reconcile_rows(rows, acquirer=AcquirerFactory(**acquirer))


def counts(run) -> tuple[int, int, int, int]:
    return run.matched, run.amount_mismatch, run.settled_not_reported, run.reported_not_settled


@pytest.mark.parametrize(
    "acquirer", [{}, {"column_mapping": UNTYPED}], ids=["typed refund", "negative, no type column"]
)
def test_a_refund_line_with_the_sales_rrn_does_not_settle_the_sale(sale, acquirer):
    run = reconcile([line_for(sale, amount="-100.50", type="退货")], **acquirer)
    assert counts(run) == (0, 0, 1, 1)
    assert SettlementLineOutcome.objects.get().report_id is None


def test_a_sale_line_typed_as_a_sale_but_negative_does_not_settle_the_sale(sale):
    run = reconcile([line_for(sale, amount="-100.50", type="消费")])
    assert counts(run) == (0, 0, 1, 1)


def test_the_refund_and_the_sale_with_one_rrn_each_settle_their_own_report(sale):
    refund = plant(
        sale.terminal,
        at=shanghai(2, 11),
        rrn=sale.rrn,
        amount="100.50",
        type="refund",
        original_report_id=str(sale.report_id),
    )
    refund_line = line_for(refund, amount="-100.50")
    run = reconcile([refund_line, line_for(sale)], column_mapping=UNTYPED)
    assert counts(run) == (2, 0, 0, 0)
    pairs = dict(SettlementLineOutcome.objects.values_list("line__line_no", "report_id"))
    assert pairs == {2: refund.pk, 3: sale.pk}


def test_an_untyped_positive_line_does_not_settle_a_refund(sale):
    refund = plant(
        sale.terminal,
        at=shanghai(2, 11),
        rrn="331200000002",
        amount="30.00",
        type="refund",
        original_report_id=str(sale.report_id),
    )
    run = reconcile([line_for(sale), line_for(refund, amount="30.00")], column_mapping=UNTYPED)
    assert counts(run) == (1, 0, 1, 1)
