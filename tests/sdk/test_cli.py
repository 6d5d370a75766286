"""``portal-terminal`` (the console script): report, flush and status against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from merchants.terminals.services import terminal_key_issue
from tests.transactions.helpers import report, reporting_terminal
from transactions.models import Report

CLI = Path(sys.executable).parent / "portal-terminal"
PAN = "6228480402564890018"  # 19 digits, passes Luhn


@pytest.fixture
def device(transactional_db):
    terminal = reporting_terminal()
    key, secret = terminal_key_issue(terminal=terminal)
    return terminal, key, secret


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, dict, str]:
    done = subprocess.run(
        [str(CLI), *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


@pytest.fixture
def env(live_server, device, tmp_path):
    _terminal, key, secret = device
    return {
        "PORTAL_TERMINAL_URL": live_server.url,
        "PORTAL_TERMINAL_KEY": key.key_id,
        "PORTAL_TERMINAL_SECRET": secret,
        "PORTAL_TERMINAL_QUEUE": str(tmp_path / "queue.sqlite3"),
        "PORTAL_TERMINAL_LANGUAGE": "en",
    }


SALE = (
    *("report", "--amount", "88.00", "--method", "debit_card", "--masked-pan", "622848******1234"),
    *("--rrn", "331234567890", "--trace-no", "000123", "--cvm", "pin"),
)


def test_a_sale_from_arguments_is_sent_with_the_terminals_own_ids(env, device):
    terminal, _key, _secret = device
    code, answer, _err = run(env, *SALE)
    assert code == 0, answer
    assert (answer["state"], answer["status"], answer["decision"]["outcome"]) == (
        "sent",
        "accepted",
        "accept",
    )
    stored = Report.objects.get(report_id=answer["report_id"])
    assert (stored.tid, stored.acquirer_mid, stored.mcc) == (
        terminal.tid,
        terminal.merchant.mid,
        terminal.merchant.mcc,
    )


def test_a_held_sale_exits_3_with_the_reasons(env, device):
    terminal, _key, _secret = device
    other = "5999" if terminal.merchant.mcc != "5999" else "5411"
    code, answer, _err = run(env, *SALE, "--mcc", other)
    assert code == 3
    assert answer["decision"]["outcome"] == "hold"
    assert [r["code"] for r in answer["decision"]["reasons"]] == ["mcc_mismatch"]


def test_a_report_from_json_on_stdin(env, device):
    terminal, _key, _secret = device
    sale = report(terminal)
    code, answer, _err = run(env, "report", "--json", "-", stdin=json.dumps(sale))
    assert (code, answer["report_id"], answer["state"]) == (0, sale["report_id"], "sent")


def test_a_full_card_number_is_refused_locally_and_never_printed(env, device, tmp_path):
    terminal, _key, _secret = device
    code, answer, err = run(env, *SALE[:-6], "--masked-pan", PAN, *SALE[-6:])
    assert code == 2 and PAN not in err and "full card number" in err
    sale = report(terminal, card_token=PAN)
    code, answer, err = run(env, "report", "--json", "-", stdin=json.dumps(sale))
    assert code == 2 and answer["state"] == "invalid" and list(answer["errors"]) == ["card_token"]
    assert PAN not in json.dumps(answer) + err
    assert not Report.objects.exists()
    for path in tmp_path.glob("queue.sqlite3*"):
        assert PAN.encode() not in path.read_bytes()


def test_an_invalid_report_gets_the_servers_field_errors_and_exit_2(env):
    code, answer, _err = run(env, *SALE, "--amount", "12.345", "--trace-no", "12")
    assert code == 2
    assert answer["errors"] == {
        "amount": ["At most 2 decimal places."],
        "trace_no": ["A trace number is 6 digits."],
    }


def test_offline_sales_are_queued_then_flushed_and_status_tells(env, live_server):
    offline = {**env, "PORTAL_TERMINAL_URL": "http://127.0.0.1:9"}
    # The first report while online keeps the terminal's ids for offline use.
    assert run(env, "config")[0] == 0
    ids = []
    for _ in range(3):
        code, answer, _err = run(offline, "--retries", "0", *SALE)
        assert (code, answer["state"]) == (0, "queued")
        ids.append(answer["report_id"])
    code, status, _err = run({"PORTAL_TERMINAL_QUEUE": env["PORTAL_TERMINAL_QUEUE"]}, "status")
    assert (code, status["pending"], status["oldest_pending"]["report_id"]) == (0, 3, ids[0])
    assert "ConnectionRefusedError" in status["oldest_pending"]["last_error"]
    code, flushed, _err = run(offline, "--retries", "0", "flush")
    assert (code, flushed["pending"]) == (4, 3)
    code, flushed, _err = run(env, "flush")
    assert (code, flushed["sent"], flushed["pending"]) == (0, 3, 0)
    assert [
        str(r) for r in Report.objects.order_by("pk").values_list("report_id", flat=True)
    ] == ids


def test_missing_credentials_are_a_usage_error(tmp_path):
    code, _answer, err = run(
        {"PORTAL_TERMINAL_URL": "", "PORTAL_TERMINAL_QUEUE": str(tmp_path / "q")}, "flush"
    )
    assert code == 1 and "missing --url" in err


def test_the_credentials_can_be_the_issued_keys_json(env, tmp_path):
    issued = {"key": env["PORTAL_TERMINAL_KEY"], "secret": env["PORTAL_TERMINAL_SECRET"]}
    (tmp_path / "key.json").write_text(json.dumps({**issued, "terminal": "SN-1"}))
    without = {**env, "PORTAL_TERMINAL_KEY": "", "PORTAL_TERMINAL_SECRET": ""}
    code, config, _err = run(without, "--credentials", str(tmp_path / "key.json"), "config")
    assert code == 0 and config["tid"]
    (tmp_path / "bad.json").write_text("[]")
    code, _answer, err = run(without, "--credentials", str(tmp_path / "bad.json"), "config")
    assert code == 1 and "no key and secret" in err
