"""A real Celery worker and beat against Redis and PostgreSQL: audits run on schedule, survive a kill,
and run on the workers of their own queue (one queue per kind of work, docs/scaling.md).

The processes are started as production starts them (``celery -A portal worker`` / ``beat`` with
the database scheduler), pointed at this test's database; the data they need is committed first
(``transaction=True``). Every wait is bounded and the processes are always stopped.

They run with ``celery_worker_settings.py``: the portal's settings on a queue and Redis key prefix
of the test's own (pytest-xdist runs tests side by side) and with a visibility timeout of seconds,
so the message of a killed worker comes back while the test waits (in production: after 15 minutes).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from merchants.models import Merchant
from tests.transactions.audit.helpers import plant, reporting_terminal
from transactions.audit.runner import ensure_rules
from transactions.models import Alert, AlertReport, AuditRule, AuditRun, RunStatus

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
WAIT = 60  # seconds: the longest any step may take before the test fails
RULES = ("late_report", "mcc_jump")


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


class Processes:
    """Celery processes of one test, on a queue and Redis key prefix of its own."""

    def __init__(self, log_dir: Path) -> None:
        self.queue = f"test-audit-{uuid.uuid4().hex[:12]}"
        self.broker_url = settings.CELERY_BROKER_URL
        self.log_dir = log_dir
        self.running: list[tuple[str, subprocess.Popen]] = []
        env = {k: v for k, v in os.environ.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
        self.env = {
            **env,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "DJANGO_SETTINGS_MODULE": "tests.transactions.audit.celery_worker_settings",
            "PORTAL_TEST_QUEUE": self.queue,
            "PYTHONUNBUFFERED": "1",
        }

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *args, "--loglevel=INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops its children
        )
        self.running.append((name, process))
        return process

    def worker(self, name: str = "worker", *, queues: Sequence[str] = ()) -> subprocess.Popen:
        """A worker on ``queues`` (default: the test's own and every queue tasks are routed to;
        the key prefix keeps them the test's own)."""
        queues = queues or (self.queue, *settings.WORKER_QUEUES)
        # solo pool: the task runs in the worker process itself, so killing it kills the task.
        return self.start(
            name,
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            f"--queues={','.join(queues)}",
            f"--hostname={self.queue}-{name}@%h",
        )

    def beat(self) -> subprocess.Popen:
        schedule = self.log_dir / "beat-schedule"
        return self.start("beat", "beat", "--max-interval=1", f"--schedule={schedule}")

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.running = [(name, p) for name, p in self.running if p is not process]

    def stop_all(self) -> None:
        for _name, process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        client = redis.Redis.from_url(self.broker_url)
        for key in client.scan_iter(match=f"{self.queue}*"):
            client.delete(key)
        client.close()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        """Poll ``condition`` for up to WAIT seconds; fail with the processes' logs otherwise."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if condition():
                return
            exited = [name for name, p in self.running if p.poll() is not None]
            if exited:
                pytest.fail(f"{', '.join(exited)} exited while waiting for {what}\n{self.logs()}")
            time.sleep(0.5)
        pytest.fail(f"no {what} within {WAIT} s\n{self.logs()}")

    def sender(self) -> Celery:
        """A client of the test's queues, routing as the portal does (the suite's own app runs
        tasks eagerly)."""
        return Celery(
            "portal-test-client",
            broker=self.broker_url,
            broker_transport_options={"global_keyprefix": f"{self.queue}:"},
            task_default_queue=self.queue,
            task_routes=settings.CELERY_TASK_ROUTES,
        )


def require_postgres_and_redis() -> None:
    """Skip unless worker processes can run: they share the test's database and broker."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: worker processes and the test share the database")
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        pytest.skip("needs Redis as the Celery broker (CELERY_BROKER_URL=redis://...)")


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    require_postgres_and_redis()
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()


@pytest.fixture
def planted() -> dict[str, Merchant]:
    """A late report at one merchant and an MCC jump at another, with only those two rules on."""
    ensure_rules()  # an earlier transactional test may have emptied the tables
    AuditRule.objects.exclude(code__in=RULES).update(enabled=False)
    late, jumping = reporting_terminal(), reporting_terminal()
    received = timezone.now() - timedelta(minutes=5)
    plant(late, at=received - timedelta(hours=30), received=received)
    plant(jumping, mcc="5812", received=received)
    return {"late_report": late.merchant, "mcc_jump": jumping.merchant}


def _alert_merchants() -> list[tuple[str, int]]:
    return sorted(Alert.objects.values_list("rule__code", "merchant_id"))


def _expected(planted: dict[str, Merchant]) -> list[tuple[str, int]]:
    return sorted((code, merchant.pk) for code, merchant in planted.items())


def test_beat_schedules_audits_that_a_worker_turns_into_alerts_once(processes, planted):
    every_2s, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="Audit new reports",
        defaults={
            "task": "transactions.tasks.run_audit",
            "interval": every_2s,
            "kwargs": json.dumps({"trigger": "beat"}),
            "enabled": True,
        },
    )
    processes.worker()
    processes.beat()

    processes.wait_for(
        "finished audit run",
        lambda: AuditRun.objects.filter(trigger="beat", status=RunStatus.DONE).exists(),
    )
    first = AuditRun.objects.filter(trigger="beat", status=RunStatus.DONE).earliest("started_at")
    assert first.counts == {"late_report": 1, "mcc_jump": 1}
    assert _alert_merchants() == _expected(planted)
    # Beat keeps scheduling; the next runs find the same alerts and raise none again.
    processes.wait_for(
        "a second finished audit run",
        lambda: AuditRun.objects.filter(status=RunStatus.DONE).count() >= 2,
    )
    assert _alert_merchants() == _expected(planted)
    assert AlertReport.objects.count() == 2
    assert set(Alert.objects.values_list("run", flat=True)) == {first.pk}


def test_a_worker_killed_mid_part_loses_and_duplicates_nothing(processes, planted):
    jumping = planted["mcc_jump"]
    with transaction.atomic():
        # Holding the merchant's row blocks the worker as it writes that merchant's alert, after
        # it has written the other merchant's: the moment we kill it is then certain.
        Merchant.objects.select_for_update().get(pk=jumping.pk)
        worker = processes.worker("worker-1")
        with processes.sender() as sender:
            sender.send_task("transactions.tasks.run_audit", kwargs={"trigger": "test"})
        processes.wait_for("worker blocked on the merchant's row", _a_backend_waits_for_a_lock)
        assert _alert_merchants() == [("late_report", planted["late_report"].pk)]
        processes.kill(worker)

    run = AuditRun.objects.get()
    assert run.status == RunStatus.RUNNING and run.parts_done == 0
    processes.worker("worker-2")
    processes.wait_for(
        "the run completed by the second worker",
        lambda: AuditRun.objects.filter(pk=run.pk, status=RunStatus.DONE).exists(),
    )
    assert _alert_merchants() == _expected(planted)
    assert AlertReport.objects.count() == 2
    run.refresh_from_db()
    assert run.parts_done == run.parts_total == 1


# -- queues: workers across machines ------------------------------------------------------------


def _log(processes, name: str) -> str:
    return (processes.log_dir / f"{name}.log").read_text(errors="replace")


def test_an_audit_runs_on_the_audit_workers_only(processes, planted):
    processes.worker("ingest-box", queues=["ingest", "recon"])
    processes.worker("audit-box", queues=["audit"])
    with processes.sender() as sender:
        sender.send_task("transactions.tasks.run_audit", kwargs={"trigger": "test"})
    processes.wait_for(
        "the audit run done",
        lambda: AuditRun.objects.filter(status=RunStatus.DONE).exists(),
    )
    assert _alert_merchants() == _expected(planted)
    assert "Task transactions.tasks.audit_part[" in _log(processes, "audit-box")
    assert "Task transactions.tasks." not in _log(processes, "ingest-box")


def test_a_part_left_by_a_dead_worker_is_finished_by_the_other(processes, planted):
    jumping = planted["mcc_jump"]
    names = ("audit-box-1", "audit-box-2")
    with transaction.atomic():
        # As in test_celery_worker.py: the worker that takes the part blocks on this row.
        Merchant.objects.select_for_update().get(pk=jumping.pk)
        workers = {name: processes.worker(name, queues=["audit"]) for name in names}
        with processes.sender() as sender:
            sender.send_task("transactions.tasks.run_audit", kwargs={"trigger": "test"})
        processes.wait_for("a worker blocked on the merchant's row", _a_backend_waits_for_a_lock)
        busy = next(
            name
            for name in names
            if re.search(r"Task transactions\.tasks\.audit_part\[", _log(processes, name))
        )
        processes.kill(workers[busy])

    (other,) = set(names) - {busy}
    processes.wait_for(
        "the run finished by the other worker",
        lambda: AuditRun.objects.filter(status=RunStatus.DONE).exists(),
    )
    assert _alert_merchants() == _expected(planted)
    assert AlertReport.objects.count() == 2
    assert "Task transactions.tasks.audit_part[" in _log(processes, other)


def _a_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps serving the first snapshot of the statistics.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
