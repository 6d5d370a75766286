"""Headers in both languages, values in the requester's, and no cell a spreadsheet would run."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from merchants.models import Merchant
from tests.factories import StaffFactory
from tests.transactions.exchange.regulator.files_read import workbook_rows, zip_rows
from tests.transactions.exchange.regulator.helpers import MARCH, march_data
from transactions.exchange.regulator.sections import bilingual
from transactions.exchange.regulator.services import regulator_report_request

pytestmark = pytest.mark.django_db


def test_a_header_reads_chinese_then_english():
    with translation.override("zh-hans"):
        chinese = gettext("Payment method")
    assert chinese != "Payment method"  # the catalogue has it
    assert bilingual("Payment method") == f"{chinese} / Payment method"
    assert bilingual("No such message in any catalogue") == "No such message in any catalogue"


def _generate(capture, *, language: str, kind: str = "annual"):
    lead = StaffFactory(groups=["compliance lead"])
    with translation.override(language), capture(execute=True):
        report = regulator_report_request(kind=kind, start=MARCH.start, end=MARCH.end, actor=lead)
    report.refresh_from_db()
    return report


def test_values_are_in_the_language_of_who_asked(django_capture_on_commit_callbacks):
    march_data()
    report = _generate(django_capture_on_commit_callbacks, language="zh-hans")
    assert report.language == "zh-hans"
    with report.xlsx_file.open("rb") as handle:
        sheets = list(workbook_rows(handle.read()).values())
    with translation.override("zh-hans"):
        shanghai, high = gettext("Shanghai"), gettext("High")
    assert shanghai != "Shanghai"
    assert [shanghai, high, 1, 0] in sheets[1]


def test_a_name_a_spreadsheet_would_run_is_written_as_text(django_capture_on_commit_callbacks):
    data = march_data()
    Merchant.objects.filter(pk=data.merchants["sh"].pk).update(legal_name="=HYPERLINK(1)")
    report = _generate(django_capture_on_commit_callbacks, language="en", kind="risk_merchants")
    with report.xlsx_file.open("rb") as handle:
        sheet = list(workbook_rows(handle.read()).values())[1]
    with report.csv_file.open("rb") as handle:
        rows = zip_rows(handle.read())["01-risk_merchants.csv"]
    mid = data.merchants["sh"].mid
    assert next(row[1] for row in sheet if row[0] == mid) == "'=HYPERLINK(1)"
    assert next(row[1] for row in rows if row[0] == mid) == "'=HYPERLINK(1)"
