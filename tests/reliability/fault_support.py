"""What the fault-injection tests share: real Celery workers, a private Redis, batch files.

The workers are the ones ``tests/transactions/audit/test_celery_worker.py`` starts (``celery -A
portal worker`` on a queue and Redis key prefix of the test's own, a visibility timeout of seconds),
here also pointed at a broker of the test's choosing and at the test's media folder, so a worker
reads the batch file the test uploaded.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Count, Sum

from tests.transactions.audit.test_celery_worker import WAIT, Processes
from tests.transactions.helpers import report, report_csv
from transactions.models import Report, ReportUpload, TerminalDay


def worker_processes(log_dir: Path, *, broker_url: str | None = None) -> Processes:
    """Celery processes that read uploads from this test's media folder (and a given broker)."""
    procs = Processes(log_dir)
    procs.env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    if broker_url:
        procs.broker_url = broker_url
        procs.env["CELERY_BROKER_URL"] = broker_url
        procs.env["REDIS_URL"] = broker_url  # the cache goes down with the broker
    return procs


def wait_until(what: str, condition) -> None:
    """Poll ``condition`` for up to WAIT seconds (no worker processes to watch); fail otherwise."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"no {what} within {WAIT} s")


def reports_for(terminal: Any, n: int) -> list[dict[str, Any]]:
    return [
        report(terminal, report_id=letter_id(), rrn=f"{i:012d}", trace_no=f"{i % 10**6:06d}")
        for i in range(n)
    ]


def letter_id() -> str:
    """A random UUID with a hex letter in every group.

    A uuid4 whose first groups happen to be all digits reads as a grouped 13-19 digit number,
    and one in ten such passes Luhn: among thousands of upload rows (whose report_id is kept as
    text) the card-data scan (pan_scan.py) would now and then flag one as a card number.
    """
    digits = list(uuid.uuid4().hex)
    for index in (0, 8, 13, 16, 20):  # one per group; 12 is the version nibble
        digits[index] = secrets.choice("abcdef")
    return str(uuid.UUID("".join(digits)))


def queued_upload(merchant: Any, rows: list[dict[str, Any]], name: str) -> ReportUpload:
    """An upload as ``upload_create`` leaves it: the file kept, status queued (not yet sent)."""
    upload = ReportUpload(merchant=merchant, original_name=name)
    upload.file.save(name, ContentFile(report_csv(rows)), save=False)
    upload.save()
    return upload


def upload_done(pk: int) -> bool:
    return ReportUpload.objects.filter(pk=pk, status="done").exists()


def stored_once(report_ids: Iterable[str]) -> dict[str, int]:
    """Figures of how the given report ids are stored: sent, stored, lost, duplicated."""
    sent = {str(rid) for rid in report_ids}
    counts = dict(
        Report.objects.filter(report_id__in=sent)
        .values_list("report_id")
        .annotate(n=Count("id"))
        .values_list("report_id", "n")
    )
    counts = {str(rid): n for rid, n in counts.items()}
    return {
        "sent": len(sent),
        "stored": sum(counts.values()),
        "lost": len(sent - set(counts)),
        "duplicated": sum(n - 1 for n in counts.values()),
    }


def rollup_reports(terminal_ids: Iterable[int]) -> int:
    """The reports the daily totals count for the terminals (ingestion keeps them in step)."""
    total = TerminalDay.objects.filter(terminal_id__in=list(terminal_ids)).aggregate(
        n=Sum("reports")
    )["n"]
    return total or 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own on a free port: restarting it disturbs no other test."""

    def __init__(self, workdir: Path, *, persistent: bool) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("needs redis-server on PATH for a private Redis")
        self.port = free_port()
        self.workdir = workdir
        self.persistent = persistent
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
            if self.persistent
            else ["--appendonly", "no", "--save", ""]  # as .ci/run starts the shared one
        )
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.workdir),
                *persistence,
            ],
            stdout=(self.workdir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url)
        wait_until("private Redis answering", lambda: _pings(client))
        client.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown save, what a crash or an OOM kill does."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
