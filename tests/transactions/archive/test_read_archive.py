"""``read_archive``: a month's rows as CSV, one merchant's, one RRN; bad input refused."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.transactions.archive.helpers import due_month, local, reports_in
from tests.transactions.helpers import reporting_terminal
from tests.transactions.report_factories import make_report
from transactions.archive.services import archive_month_run

pytestmark = pytest.mark.django_db


def _read(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("read_archive", *args, stdout=out, stderr=err)
    return list(csv.DictReader(io.StringIO(out.getvalue()))), err.getvalue()


@pytest.fixture
def month():
    return due_month()


@pytest.fixture
def two_shops(month):
    a, b = reporting_terminal(), reporting_terminal()
    reports_in(month, 2, a)
    wanted = make_report(b, occurred_at=local(month, 9), rrn="123456789012", amount=Decimal("8.05"))
    reports_in(month, 1, b)
    archive_month_run(month=month)
    return a, b, wanted


def test_the_whole_month(month, two_shops):
    rows, err = _read("--month", f"{month:%Y-%m}")
    assert len(rows) == 4
    assert "4 row(s)" in err


def test_one_merchant_by_mid(month, two_shops):
    _a, b, _wanted = two_shops
    rows, _err = _read("--month", f"{month:%Y-%m}", "--merchant", b.merchant.mid)
    assert {row["merchant_id"] for row in rows} == {str(b.merchant_id)}
    assert len(rows) == 2


def test_one_rrn(month, two_shops):
    _a, _b, wanted = two_shops
    (row,), _err = _read("--month", f"{month:%Y-%m}", "--rrn", "123456789012")
    assert row["id"] == str(wanted.pk)
    assert row["amount"] == "8.05"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "24-09"], "YYYY-MM"),
        (["--month", "2024-09", "--rrn", "12 34"], "RRN"),
        (["--month", "2024-09", "--merchant", "nobody"], "No merchant"),
    ],
)
def test_bad_input_is_refused(args, message):
    with pytest.raises(CommandError, match=message):
        _read(*args)


def test_a_month_not_archived_says_so(month):
    with pytest.raises(CommandError, match="not archived"):
        _read("--month", f"{month:%Y-%m}")
