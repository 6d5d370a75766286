"""PostgreSQL connections killed under a reporting terminal: 503, retry, every report stored once.

A real server (gunicorn, 2 sync workers, persistent database connections as in production) on
the test's PostgreSQL database; a terminal posts single reports and batches over HTTP, signed as
shared/API.md says, and retries a failed request with the same bytes (the same report_ids). From
another connection the test kills the server's backends with ``pg_terminate_backend``: idle ones
between requests (the next request on that connection fails at its first query) and busy ones
while a batch is being stored (the transaction dies mid-COPY). Afterwards every report is stored
exactly once, every failure was a clean 503 with Retry-After, and asking again gives answers
consistent with the first successful one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from merchants.terminals.services import terminal_key_issue
from tests.reliability.fault_support import free_port, stored_once
from tests.reliability.scoreboard import record
from tests.transactions.audit.test_celery_worker import _database_url
from tests.transactions.helpers import BATCH, REPORTS, report, reporting_terminal
from transactions.api.authentication import sign

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "fault-web"  # the server's connections, as pg_stat_activity names them
SINGLES = 150
BATCHES = 6
BATCH_SIZE = 250
MAX_ATTEMPTS = 20


class Server:
    """gunicorn on a free port of 127.0.0.1, pointed at the test's database."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": f"{_database_url()}?application_name={APP_NAME}",
            "CONN_MAX_AGE": "60",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "ERROR",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "gunicorn", "portal.wsgi", "-w", "2", "-b", f"127.0.0.1:{self.port}"),
                *("--timeout", "60", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log = log
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer within 60 s\n{log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the fault is pg_terminate_backend on the server's backends")
    web = Server(tmp_path / "gunicorn.log")
    try:
        yield web
    finally:
        web.stop()


class Killer:
    """Terminates the server's PostgreSQL backends from a connection of its own."""

    def __init__(self) -> None:
        self.conn = psycopg.connect(_database_url().replace("postgres://", "postgresql://"))
        self.conn.autocommit = True
        self.lock = threading.Lock()
        self.killed: Counter[str] = Counter()

    def kill(self, states: tuple[str, ...]) -> int:
        with self.lock:
            rows = self.conn.execute(
                "SELECT state, pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s"
                " AND state = ANY(%s)",
                [APP_NAME, list(states)],
            ).fetchall()
        for state, done in rows:
            if done:
                self.killed[state] += 1
        return sum(1 for _state, done in rows if done)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Terminal:
    """A terminal in the field: signs each request, retries a failure with the same body."""

    url: str
    key_id: str
    secret: str
    statuses: Counter[int] = field(default_factory=Counter)
    bad_5xx: list[tuple[int, str, str]] = field(default_factory=list)
    retries: int = 0

    def send(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        ts = str(int(time.time()))
        request = urllib.request.Request(
            self.url + path,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Terminal-Key": self.key_id,
                "X-Timestamp": ts,
                "X-Signature": sign(self.secret, ts, "POST", path, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            status, headers, raw = exc.code, exc.headers, exc.read()
        self.statuses[status] += 1
        if status >= 500 and (status != 503 or not headers.get("Retry-After")):
            self.bad_5xx.append((status, headers.get("Content-Type", ""), raw[:300].decode()))
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, {}

    def post_until_answered(self, path: str, payload: Any) -> tuple[int, dict[str, Any], bool]:
        """(status, answer, whether an earlier attempt failed) of the first non-5xx answer."""
        body = json.dumps(payload).encode()
        failed = False
        for _attempt in range(MAX_ATTEMPTS):
            status, answer = self.send(path, body)
            if status < 500:
                return status, answer, failed
            failed = True
            self.retries += 1
            time.sleep(0.05)  # a field terminal honours Retry-After; the test keeps it short
        pytest.fail(f"no answer after {MAX_ATTEMPTS} attempts at {path}")

    @property
    def fivexx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def _kill_busy_backends(killer: Killer, stop: threading.Event) -> None:
    """While batches are stored: now and then kill a backend in the middle of its work, waiting
    longer after each kill (up to 4 s), so that a batch slower than the wait still gets through
    in the end, as it would after a real outage."""
    pause = 0.25
    while not stop.is_set():
        if killer.kill(("active", "idle in transaction")):
            pause = min(pause * 2, 4.0)
        stop.wait(pause)


def test_killed_database_connections_lose_and_duplicate_no_report(server):
    device = reporting_terminal()
    key, secret = terminal_key_issue(terminal=device)
    terminal = Terminal(server.url, key.key_id, secret)
    killer = Killer()
    singles = [report(device, rrn=f"{i:012d}") for i in range(SINGLES)]
    batches = [
        [report(device, rrn=f"9{b:03d}{i:08d}") for i in range(BATCH_SIZE)] for b in range(BATCHES)
    ]
    first: dict[str, tuple[int, dict[str, Any], bool]] = {}
    try:
        # Between requests: every fifth report finds its connection killed while it sat idle.
        for i, payload in enumerate(singles):
            if i % 5 == 0:
                killer.kill(("idle",))
            first[payload["report_id"]] = terminal.post_until_answered(REPORTS, payload)
        # During requests: batches stored while their backends are killed mid-transaction.
        stop = threading.Event()
        busy = threading.Thread(target=_kill_busy_backends, args=(killer, stop), daemon=True)
        busy.start()
        try:
            batch_answers = [terminal.post_until_answered(BATCH, {"reports": b}) for b in batches]
        finally:
            stop.set()
            busy.join(timeout=10)
        # Asked again once the faults are over, every answer agrees with the first one.
        again = [terminal.post_until_answered(REPORTS, payload) for payload in singles]
        batches_again = [terminal.post_until_answered(BATCH, {"reports": b}) for b in batches]
    finally:
        killer.close()

    inconsistent = 0
    for payload, (status, answer, _failed) in zip(singles, again, strict=True):
        first_status, first_answer, failed_before = first[payload["report_id"]]
        # A first answer "duplicate" is right only if an earlier attempt died after its commit.
        first_ok = (first_status, first_answer["status"]) == (201, "accepted") or (
            failed_before and (first_status, first_answer["status"]) == (200, "duplicate")
        )
        same = first_answer["report_id"] == answer["report_id"] == payload["report_id"]
        inconsistent += not (first_ok and same and (status, answer["status"]) == (200, "duplicate"))
    for batch, (status, answer, failed), (_s, answer_again, _f) in zip(
        batches, batch_answers, batches_again, strict=True
    ):
        stored_first = answer["accepted"] + answer["duplicates"]
        inconsistent += not (
            status == 200
            and stored_first == len(batch)
            and (answer["duplicates"] == 0 or failed)
            and answer["rejected"] == []
            and (answer_again["accepted"], answer_again["duplicates"]) == (0, len(batch))
        )

    all_ids = [p["report_id"] for p in singles] + [p["report_id"] for b in batches for p in b]
    figures = stored_once(all_ids)
    faults = sum(killer.killed.values())
    requests = sum(terminal.statuses.values())
    assert terminal.bad_5xx == [], f"not a 503 with Retry-After:\n{server.log.read_text()[-8000:]}"
    assert faults > 0 and terminal.fivexx > 0, "the faults must have hit requests"
    assert inconsistent == 0
    assert figures["lost"] == figures["duplicated"] == 0
    assert figures["stored"] == len(all_ids)

    record("faults", "DB connections killed during ingestion (pg_terminate_backend)", faults)
    record(
        "faults",
        "DB drop: killed while idle / mid-request",
        f"{killer.killed['idle']} / {faults - killer.killed['idle']}",
    )
    record("faults", "DB drop: requests sent (incl. retries)", requests)
    record("faults", "DB drop: 5xx seen (all 503 + Retry-After)", terminal.fivexx)
    record("faults", "DB drop: raw 500s", len(terminal.bad_5xx))
    record("faults", "DB drop: reports sent", figures["sent"])
    record("faults", "DB drop: reports stored", figures["stored"])
    record("faults", "DB drop: reports lost", figures["lost"])
    record("faults", "DB drop: reports duplicated", figures["duplicated"])
    record("faults", "DB drop: inconsistent answers to retries", inconsistent)
