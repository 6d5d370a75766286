"""The example rules give the same findings as the built-ins they copy, on the same reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.transactions.audit.helpers import plant, plant_many, shanghai
from tests.transactions.helpers import reporting_terminal
from transactions.audit.base import Context
from transactions.audit.data_rules import findings_of
from transactions.audit.rules import REGISTRY
from transactions.models import Report, Rule
from transactions.rules.compiler import compile_document
from transactions.rules.examples import EXAMPLES, examples_install
from transactions.rules.grouping import matched_rows

pytestmark = pytest.mark.django_db

BUILT_IN = {
    "example_same_card": "cashout_same_card",
    "example_round_amount": "cashout_round_amount",
    "example_unverified_high": "unverified_high_value",
}


@pytest.fixture
def reports():
    """Every case the three built-ins tell apart, over two merchants and three days."""
    here, there = reporting_terminal(), reporting_terminal()
    day = lambda d, h, m=0: shanghai(d, h, m)
    # Same card: 5 uses in a day (one late at night), 4 in a day, 5 across midnight.
    plant_many(here, [day(2, h) for h in (9, 10, 11, 12)] + [day(2, 23, 59)], card_token="tok-a")
    plant_many(here, [day(2, h) for h in (9, 10, 11, 12)], card_token="tok-b")
    plant_many(
        there, [day(3, 21), day(3, 22), day(3, 23), day(2, 0), day(2, 1)], card_token="tok-c"
    )
    plant_many(there, [day(1, h) for h in (8, 9, 10, 11, 12, 13)], card_token="tok-d")
    # Round amounts: sales, a refund, below the minimum, not round.
    sale = plant(here, at=day(1, 15), amount="5000.00", card_token="tok-r")
    plant(here, at=day(1, 15, 1), amount="8000.00", card_token="tok-r")
    plant(
        here,
        at=day(1, 15, 2),
        amount="5000.00",
        type="refund",
        card_token="tok-r",
        original_report_id=str(sale.report_id),
    )
    plant(here, at=day(1, 16), amount="4000.00", card_token="tok-s")
    plant(there, at=day(1, 16), amount="6500.00", card_token="tok-t")
    plant(there, at=day(3, 16), amount="20000.00", card_token="tok-u")
    # Unverified high value: by method, verification and type.
    plant(here, at=day(1, 17), amount="6000.00", cvm="none", card_token="tok-v")
    plant(here, at=day(1, 17, 5), amount="6000.00", cvm="pin", card_token="tok-w")
    plant(there, at=day(1, 18), amount="7000.00", cvm="contactless", method="debit_card")
    plant(there, at=day(1, 18, 5), amount="7000.00", cvm="none", method="wechat", masked_pan="")
    plant(there, at=day(2, 18), amount="5000.00", cvm="signature", type="sale")
    return Report.objects.count()


def built_in_findings(code: str) -> set[frozenset[int]]:
    spec = REGISTRY[code]
    ctx = Context(timezone.now() - timedelta(days=30), timezone.now(), dict(spec.defaults))
    return {frozenset(f.report_ids) for f in spec.find(ctx)}


def example_findings(code: str) -> set[frozenset[int]]:
    rule = Rule.objects.get(code=code)
    version = rule.versions.get()
    compiled = compile_document(version.document)
    since = timezone.now() - timedelta(days=30)
    rows = matched_rows(compiled, Report.objects.filter(received_at__gt=since))
    return {
        frozenset(f.report_ids) for f in findings_of(version=version, compiled=compiled, rows=rows)
    }


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_an_example_finds_what_its_built_in_finds(reports, code):
    examples_install()
    expected = built_in_findings(BUILT_IN[code])
    assert expected, "the data set exercises the rule"
    assert example_findings(code) == expected


def test_the_examples_are_installed_once_as_drafts():
    call_command("install_example_rules")
    call_command("install_example_rules")
    assert Rule.objects.filter(code__in=EXAMPLES).count() == 3
    assert {r.versions.get().status for r in Rule.objects.all()} == {"draft"}
