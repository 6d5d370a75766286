"""Every task goes to a queue that a worker takes (docs/scaling.md)."""

import re
from pathlib import Path

from django.conf import settings

from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_the_portal_goes_to_a_worker_queue():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if name.startswith(("transactions.", "merchants."))]
    assert ours
    assert {
        name: _queue_of(name) for name in ours if _queue_of(name) not in settings.WORKER_QUEUES
    } == {}


def test_each_kind_of_work_has_its_queue():
    assert _queue_of("transactions.tasks.process_upload") == "ingest"
    assert _queue_of("transactions.tasks.audit_part") == "audit"
    assert _queue_of("transactions.tasks.import_settlement_file") == "recon"
    assert _queue_of("transactions.tasks.export_reports") == "export"
    assert _queue_of("transactions.tasks.export_regulator_report") == "export"
    assert _queue_of("transactions.tasks.expire_report_exports") == "celery"


def test_the_procfile_worker_takes_every_queue():
    procfile = (ROOT / "Procfile").read_text()
    queues = re.search(r"^worker: .*--queues=(\S+)", procfile, re.MULTILINE).group(1).split(",")
    assert set(queues) == set(settings.WORKER_QUEUES)
