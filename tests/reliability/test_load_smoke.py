"""A short load run in CI: a few terminals and a merchant for 10 seconds, and not one error.

The same locust scenario as ``bench/load.py`` (``bench/locustfile.py``: signed single reports and
batches, a logged-in owner on the dashboard and the reports list), at a small size, against the
test's live server. It asserts no failed request and every acknowledged report stored once; the
throughput it prints goes to the scoreboard, never into an assertion (speed is bench/'s).
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from pathlib import Path

import pytest
from django.db import connection

from merchants.models import Role
from merchants.terminals.services import terminal_key_issue
from tests.factories import MembershipFactory
from tests.reliability.scoreboard import record
from tests.transactions.helpers import reporting_terminal

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
USERS, SECONDS, TERMINALS = 4, 10, 3


def _bench_load():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def plain_http(settings):
    # The live server speaks plain HTTP: cookies marked secure would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def test_a_short_load_run_has_no_errors_and_loses_no_report(live_server, plain_http):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: in-memory SQLite is one connection the server's threads share"
        )
    if importlib.util.find_spec("locust") is None:
        pytest.skip("locust is not installed (dev dependency group)")
    load = _bench_load()
    terminals = [reporting_terminal() for _ in range(TERMINALS)]
    password = uuid.uuid4().hex
    owner = MembershipFactory(merchant=terminals[0].merchant, role=Role.OWNER).user
    owner.set_password(password)
    owner.save()
    tag = f"load-smoke-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    acknowledged = load.OUT / f"{tag}-acknowledged.txt"
    acknowledged.unlink(missing_ok=True)
    config = {
        "terminals": [
            {
                "key": key.key_id,
                "secret": secret,
                "tid": t.tid,
                "mid": t.merchant.mid,
                "mcc": t.merchant.mcc,
            }
            for t in terminals
            for key, secret in [terminal_key_issue(terminal=t)]
        ],
        "username": owner.get_username(),
        "password": password,
        "batch_size": 50,
        "acknowledged_path": str(acknowledged),
    }

    figures = load.run_locust(
        host=live_server.url, config=config, users=USERS, spawn_rate=USERS, seconds=SECONDS, tag=tag
    )
    check = load.acknowledged_stored(acknowledged)

    log = Path(figures["log"]).read_text(errors="replace")[-3000:]
    assert figures["requests"] > 0, log
    assert figures["failures"] == 0, log
    assert set(figures["endpoints"]) >= {"POST report", "GET dashboard"}, figures["endpoints"]
    assert check["acknowledged"] > 0
    assert check["lost"] == check["duplicated"] == 0

    note = f"CI smoke: {USERS} users, {SECONDS} s, Django live server"
    record("load", "smoke: requests", figures["requests"], note=note)
    record("load", "smoke: requests/s", figures["rps"], note=note)
    record("load", "smoke: reports/s", figures["reports_per_s"], note=note)
    record("load", "smoke: error rate", f"{figures['error_rate']:.2%}", note=note)
    record("load", "smoke: p50 / p95 ms", f"{figures['p50_ms']} / {figures['p95_ms']}", note=note)
    record("load", "smoke: acknowledged reports lost", check["lost"], note=note)
    record("load", "smoke: acknowledged reports duplicated", check["duplicated"], note=note)
