"""``manage.py regulator_report``: the same figures from the shell, and clear refusals."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests.transactions.exchange.regulator.files_read import normal, workbook_rows, zip_rows
from tests.transactions.exchange.regulator.helpers import MARCH, march_data
from transactions.exchange.regulator.sections import rendered_rows
from transactions.exchange.regulator.services import regulator_sections

pytestmark = pytest.mark.django_db


def _run(*args: str) -> None:
    call_command("regulator_report", *args, "--language", "en")


def test_the_annual_report_written_to_a_workbook_has_the_figures(tmp_path, capsys):
    march_data()
    out = tmp_path / "annual.xlsx"
    _run("--kind", "annual", "--start", "2026-03-01", "--end", "2026-03-31", "--out", str(out))
    sheets = list(workbook_rows(out.read_bytes()).values())[1:]
    sections = regulator_sections(kind="annual", period=MARCH)
    assert [[[normal(v) for v in row] for row in sheet[1:]] for sheet in sheets] == [
        [[normal(v) for v in row] for row in rendered_rows(section)] for section in sections
    ]
    printed = capsys.readouterr().out
    assert "inspections          no data for this period" in printed
    assert "volumes_by_method    3 row(s)" in printed


def test_the_risk_list_as_csv_files(tmp_path):
    data = march_data()
    out = tmp_path / "risk.zip"
    _run(
        "--kind",
        "risk_merchants",
        "--start",
        "2026-03-01",
        "--end",
        "2026-03-31",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    files = zip_rows(out.read_bytes())
    assert sorted(row[0] for row in files["01-risk_merchants.csv"][1:]) == sorted(
        data.merchants[k].mid for k in ("sh", "gd", "was_high", "fraud")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "annual", "--start", "2026-03-31", "--end", "2026-03-01"], "before its start"),
        (
            ["--kind", "weekly", "--start", "2026-03-01", "--end", "2026-03-31"],
            "Unknown report kind",
        ),
        (["--kind", "annual", "--start", "2026-03-01", "--end", "31/03/2026"], "Not a date"),
        (["--kind", "annual", "--start", "2026-01-01", "--end", "2099-01-01"], "after today"),
    ],
)
def test_bad_input_is_refused_with_the_reason(tmp_path, args, message):
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=message):
        _run(*args, "--out", str(out))
    assert not out.exists()
