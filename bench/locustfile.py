"""Load on the portal: terminals reporting through the signed API, merchants on their dashboard.

Run through ``bench/load.py`` (which seeds the data and starts the server) or by hand against a
running portal with ``LOAD_CONFIG`` naming the JSON file load.py writes:

    LOAD_CONFIG=var/bench/load.json uv run locust -f bench/locustfile.py --headless \\
        -u 20 -r 5 -t 60s --host http://127.0.0.1:8798

No Django here (locust's gevent would patch it): the signing is shared/API.md's, in a few lines.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

CONFIG = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
BATCH_SIZE = int(CONFIG.get("batch_size", 100))
REPORTS = "/api/v1/terminal/reports/"
BATCH = "/api/v1/terminal/reports/batch/"
_terminals = itertools.cycle(CONFIG["terminals"])
# The report_ids the server acknowledged (201 accepted / counted in a batch's "accepted"):
# load.py checks afterwards that each one is stored, exactly once.
ACKNOWLEDGED: list[str] = []


@events.quitting.add_listener
def _write_acknowledged(environment: Any, **_kwargs: Any) -> None:
    if path := CONFIG.get("acknowledged_path"):
        Path(path).write_text("\n".join(ACKNOWLEDGED))


def sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    message = f"{timestamp}\n{method}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_report(terminal: dict[str, str], n: int) -> dict[str, Any]:
    card = n % 2 == 0
    return {
        "report_id": str(uuid.uuid4()),
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
        "amount": f"{10 + n % 5000}.{n % 100:02d}",
        "currency": "CNY",
        "type": "sale",
        "method": "credit_card" if card else "wechat",
        **(
            {"masked_pan": f"622848******{n % 10000:04d}", "card_token": f"tok{n % 997}"}
            if card
            else {}
        ),
        "rrn": f"{n % 10**12:012d}",
        "trace_no": f"{n % 10**6:06d}",
        "mcc": terminal["mcc"],
        "acquirer_mid": terminal["mid"],
        "tid": terminal["tid"],
        "cvm": "pin" if card else "none",
    }


class TerminalUser(HttpUser):
    """A POS terminal: mostly one report at a time, now and then a batch it had kept."""

    weight = 3
    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.terminal = next(_terminals)
        self.counter = itertools.count(int(time.time()) % 100_000)

    def _post(self, path: str, payload: Any, name: str, accepted: int) -> bool:
        """Post signed; a success is the expected status with every report accepted."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Terminal-Key": self.terminal["key"],
            "X-Timestamp": ts,
            "X-Signature": sign(self.terminal["secret"], ts, "POST", path, body),
        }
        expect = 201 if path == REPORTS else 200
        with self.client.post(
            path, data=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return False
            answer = response.json()
            if (
                answer.get("status", "accepted") != "accepted"
                or answer.get("accepted", accepted) != accepted
            ):
                response.failure(f"not all accepted: {response.text[:200]}")
                return False
            return True

    @task(4)
    def one_report(self) -> None:
        report = new_report(self.terminal, next(self.counter))
        if self._post(REPORTS, report, "POST report", 1):
            ACKNOWLEDGED.append(report["report_id"])

    @task(1)
    def batch(self) -> None:
        reports = [new_report(self.terminal, next(self.counter)) for _ in range(BATCH_SIZE)]
        if self._post(BATCH, {"reports": reports}, f"POST batch ({BATCH_SIZE})", BATCH_SIZE):
            ACKNOWLEDGED.extend(report["report_id"] for report in reports)


class MerchantUser(HttpUser):
    """A merchant's owner, logged in, looking at the dashboard and the list of reports."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": CONFIG["username"],
                "password": CONFIG["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: {response.status_code}")

    def _page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}")

    @task(3)
    def dashboard(self) -> None:
        self._page(CONFIG.get("dashboard", "/merchant/dashboard/"), "GET dashboard")

    @task(1)
    def reports(self) -> None:
        self._page("/merchant/reports/", "GET reports list")
