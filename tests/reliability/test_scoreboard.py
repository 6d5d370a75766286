"""scripts/scoreboard: every area lists its test files, and counts kept per pytest worker add up."""

import importlib.machinery
import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "scoreboard"


@pytest.fixture(scope="module")
def scoreboard():
    loader = importlib.machinery.SourceFileLoader("scoreboard_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up
    loader.exec_module(module)
    yield module
    del sys.modules[loader.name]


def _line(figure, value, *, run="r1", worker="gw0", at="2026-12-01T10:00:00", **extra):
    return {
        "section": "card data",
        "figure": figure,
        "value": value,
        "note": extra.pop("note", ""),
        "database": "postgresql",
        "run": run,
        "worker": worker,
        "at": at,
        **extra,
    }


def _load(scoreboard, tmp_path, lines):
    (tmp_path / "card data.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8"
    )
    return scoreboard.load_figures(tmp_path)["card data"]


def test_every_test_glob_of_every_area_matches_a_file(scoreboard):
    unmatched = [
        (section.key, pattern)
        for section in scoreboard.SECTIONS
        for pattern in section.tests
        if not scoreboard.test_files((pattern,))
    ]
    assert unmatched == []


def test_the_security_tests_are_listed_under_their_areas(scoreboard):
    listed = {
        section.key: {
            str(path.relative_to(scoreboard.ROOT)) for path in scoreboard.test_files(section.tests)
        }
        for section in scoreboard.SECTIONS
    }
    assert {
        "tests/test_security_otp.py",
        "tests/test_security_csrf.py",
        "tests/test_deploy_check.py",
        "tests/merchants/accounts/test_staff_permissions.py",
    } <= listed["auth"]
    assert "tests/test_security_audit_trail.py" in listed["audit trail"]


def test_additive_figures_add_up_the_workers_of_the_latest_run(scoreboard, tmp_path):
    figures = _load(
        scoreboard,
        tmp_path,
        [
            _line("rows scanned", 900, run="old", worker="gw0", additive=True),
            _line("rows scanned", 10, worker="gw0", at="2026-12-02T10:00:00", additive=True),
            _line("rows scanned", 40, worker="gw0", at="2026-12-02T10:05:00", additive=True),
            _line("rows scanned", 25, worker="gw1", at="2026-12-02T10:04:00", additive=True),
        ],
    )
    shown = figures[("rows scanned", "postgresql")]
    assert shown["value"] == 65  # each worker's latest count: 40 + 25
    assert shown["note"] == "summed over 2 pytest workers"


def test_other_figures_show_the_latest_value(scoreboard, tmp_path):
    figures = _load(
        scoreboard,
        tmp_path,
        [
            _line("tables scanned", 120, worker="gw0", at="2026-12-02T10:00:00"),
            _line("tables scanned", 121, worker="gw1", at="2026-12-02T10:01:00"),
        ],
    )
    assert figures[("tables scanned", "postgresql")]["value"] == 121


def test_listed_notes_of_the_workers_are_merged(scoreboard, tmp_path):
    figures = _load(
        scoreboard,
        tmp_path,
        [
            _line("operations fuzzed", 2, worker="gw0", note="POST /b, GET /a", additive=True),
            _line("operations fuzzed", 1, worker="gw1", note="POST /c", additive=True),
        ],
    )
    shown = figures[("operations fuzzed", "postgresql")]
    assert (shown["value"], shown["note"]) == (
        3,
        "GET /a, POST /b, POST /c; summed over 2 pytest workers",
    )


def test_lines_from_before_runs_were_recorded_still_load(scoreboard, tmp_path):
    old = {k: v for k, v in _line("PANs found", 0).items() if k not in ("run", "worker")}
    assert _load(scoreboard, tmp_path, [old])[("PANs found", "postgresql")]["value"] == 0


def test_the_script_writes_the_scoreboard_from_a_copy_of_the_figures(
    scoreboard, tmp_path, monkeypatch
):
    data = tmp_path / "reliability"
    data.mkdir()
    _load(scoreboard, data, [_line("PANs found", 0, additive=True)])
    out = tmp_path / "RELIABILITY.md"
    monkeypatch.setattr(sys, "argv", ["scoreboard", "--data", str(data), "--out", str(out)])
    scoreboard.main()
    text = out.read_text(encoding="utf-8")
    assert "| full card numbers found | 0 | 1 |" in text
    assert "## Audit trail" in text and "tests/test_security_audit_trail.py" in text
