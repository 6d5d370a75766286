"""Asking for a report, the worker building it, and its files read back against its figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import StaffFactory
from tests.transactions.exchange.regulator.files_read import normal, workbook_rows, zip_rows
from tests.transactions.exchange.regulator.helpers import MARCH, march_data, money
from transactions.exchange.regulator import services
from transactions.exchange.regulator.sections import bilingual, rendered_rows
from transactions.exchange.regulator.services import (
    regulator_report_build,
    regulator_report_request,
    regulator_report_sections,
)
from transactions.models import ExportStatus, RegulatorReport

pytestmark = pytest.mark.django_db

EMPTY = "No data for this period."


@pytest.fixture
def lead():
    return StaffFactory(groups=["compliance lead"])


def _generate(lead, capture, *, kind="annual", start=MARCH.start, end=MARCH.end):
    with capture(execute=True) as queued:
        report = regulator_report_request(kind=kind, start=start, end=end, actor=lead)
    assert len(queued) == 1  # queued once the record is committed; eager in the suite
    report.refresh_from_db()
    return report


def test_a_lead_asks_and_the_worker_builds_every_section(lead, django_capture_on_commit_callbacks):
    march_data()
    report = _generate(lead, django_capture_on_commit_callbacks)
    assert report.status == ExportStatus.DONE
    assert (report.sections_done, report.sections_total, report.percent) == (7, 7, 100)
    assert report.requested_by == lead
    assert (report.start, report.end, report.language) == (MARCH.start, MARCH.end, "en")
    assert [s["code"] for s in report.figures["sections"]] == [
        "merchants",
        "terminals",
        "volumes_by_method",
        "volumes_by_region",
        "alerts",
        "complaints",
        "inspections",
    ]
    assert report.xlsx_file.name.endswith(".xlsx")
    assert report.csv_file.name.endswith(".zip")
    assert report.started_at <= report.finished_at


def test_the_workbook_holds_the_figures_a_sheet_per_section(
    lead, django_capture_on_commit_callbacks
):
    march_data()
    report = _generate(lead, django_capture_on_commit_callbacks)
    with report.xlsx_file.open("rb") as handle:
        sheets = workbook_rows(handle.read())
    names = list(sheets)
    assert names[0] == "About"
    assert len(names) == 8
    about = dict((row[0], row[1]) for row in sheets["About"])
    assert about[bilingual("Period (Beijing dates, both included)")] == "2026-03-01 – 2026-03-31"
    assert about[bilingual("Report")] == "Annual acquiring report"
    assert about[bilingual("Requested by")] == lead.username
    assert about[bilingual("Time zone")] == "Asia/Shanghai"
    volumes = sheets[names[3]]
    assert volumes[0] == [
        bilingual(label) for label in ("Payment method", "Type", "Reports", "Amount (CNY)")
    ]
    assert [[m, t, n, money(a)] for m, t, n, a in volumes[1:]] == [
        ["Credit card", "Refund", 1, Decimal("5.55")],
        ["Credit card", "Sale", 2, Decimal("155.65")],
        ["WeChat Pay", "Sale", 1, Decimal("300.30")],
    ]
    # Every section's sheet is its stored figures, value for value.
    for name, section in zip(names[1:], regulator_report_sections(report), strict=True):
        assert sheets[name][0] == [bilingual(column.label) for column in section.columns]
        assert [[normal(v) for v in row] for row in sheets[name][1:]] == [
            [normal(v) for v in row] for row in rendered_rows(section)
        ]
    merchants = sheets[names[1]]
    assert ["Shanghai", "High", 1, 0] in merchants
    assert ["Guangdong", "High", 1, 1] in merchants
    assert sheets[names[7]][1:] == [[EMPTY]]  # inspections: none on record


def test_the_csv_zip_holds_the_same_figures_a_file_per_section(
    lead, django_capture_on_commit_callbacks
):
    march_data()
    report = _generate(lead, django_capture_on_commit_callbacks)
    with report.csv_file.open("rb") as handle:
        files = zip_rows(handle.read())
    with report.xlsx_file.open("rb") as handle:
        sheets = list(workbook_rows(handle.read()).values())
    assert list(files) == [
        "00-about.csv",
        "01-merchants.csv",
        "02-terminals.csv",
        "03-volumes_by_method.csv",
        "04-volumes_by_region.csv",
        "05-alerts.csv",
        "06-complaints.csv",
        "07-inspections.csv",
    ]
    for rows, sheet in zip(list(files.values())[1:], sheets[1:], strict=True):
        assert rows == [[_text(v) for v in row] for row in sheet]
    alerts = {row[0]: row[2:] for row in files["05-alerts.csv"][1:]}
    assert alerts == {
        "cashout_off_hours": ["1", "1", "0"],
        "cashout_same_card": ["1", "0", "0"],
        "late_report": ["1", "1", "0"],
        "mcc_jump": ["1", "1", "1"],
    }
    assert files["03-volumes_by_method.csv"][2] == ["Credit card", "Sale", "2", "155.65"]


def _text(value) -> str:
    return f"{normal(value)}" if isinstance(value, float) else str(value)


def test_an_empty_period_says_so_in_every_section_and_file(
    lead, django_capture_on_commit_callbacks
):
    report = _generate(
        lead, django_capture_on_commit_callbacks, start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    assert report.status == ExportStatus.DONE
    assert all(not s["rows"] for s in report.figures["sections"])
    with report.xlsx_file.open("rb") as handle:
        sheets = list(workbook_rows(handle.read()).values())
    assert [sheet[1:] for sheet in sheets[1:]] == [[[EMPTY]]] * 7
    assert all(len(sheet[0]) >= 2 for sheet in sheets[1:])  # headers still there
    with report.csv_file.open("rb") as handle:
        files = list(zip_rows(handle.read()).values())
    assert [rows[1:] for rows in files[1:]] == [[[EMPTY]]] * 7


def test_the_risk_merchant_list_in_both_files(lead, django_capture_on_commit_callbacks):
    data = march_data()
    report = _generate(lead, django_capture_on_commit_callbacks, kind="risk_merchants")
    assert report.sections_total == 1
    with report.xlsx_file.open("rb") as handle:
        sheet = list(workbook_rows(handle.read()).values())[1]
    header = sheet[0]
    assert header[0] == bilingual("MID")
    assert bilingual("Legal representative ID number (masked)") in header
    mids = [row[0] for row in sheet[1:]]
    assert sorted(mids) == sorted(data.merchants[k].mid for k in ("sh", "gd", "was_high", "fraud"))
    reasons = {row[0]: row[header.index(bilingual("Reasons"))] for row in sheet[1:]}
    assert reasons[data.merchants["was_high"].mid] == "rated High at the start of the period"
    with report.csv_file.open("rb") as handle:
        files = zip_rows(handle.read())
    assert [row[0] for row in files["01-risk_merchants.csv"][1:]] == mids


def test_a_reviewer_may_not_ask_for_one():
    reviewer = StaffFactory(groups=["compliance reviewer"])
    with pytest.raises(PermissionDenied):
        regulator_report_request(kind="annual", start=MARCH.start, end=MARCH.end, actor=reviewer)
    assert not RegulatorReport.objects.exists()


@pytest.mark.parametrize(
    ("kind", "start", "end", "field"),
    [
        ("annual", date(2026, 3, 31), date(2026, 3, 1), "end"),
        ("annual", date(2026, 1, 1), date(2099, 1, 1), "end"),
        ("monthly", date(2026, 3, 1), date(2026, 3, 31), "kind"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_recorded(lead, kind, start, end, field):
    with pytest.raises(ValidationError) as caught:
        regulator_report_request(kind=kind, start=start, end=end, actor=lead)
    assert field in caught.value.message_dict
    assert not RegulatorReport.objects.exists()


def test_building_a_finished_report_again_changes_nothing(lead, django_capture_on_commit_callbacks):
    report = _generate(lead, django_capture_on_commit_callbacks)
    name = report.xlsx_file.name
    again = regulator_report_build(report_id=report.pk)
    assert (again.status, again.xlsx_file.name) == (ExportStatus.DONE, name)


def test_a_failing_section_fails_the_report_with_its_error(
    lead, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(period):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(services.SECTIONS, "annual", [broken])
    with pytest.raises(RuntimeError):
        _generate(lead, django_capture_on_commit_callbacks)
    report = RegulatorReport.objects.get()
    assert report.status == ExportStatus.FAILED
    assert report.error == "RuntimeError: the database went away"
    assert not report.xlsx_file
