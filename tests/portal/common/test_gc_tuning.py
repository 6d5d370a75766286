"""Serving processes freeze what the app loaded and collect young objects less often."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from portal.common.gc_tuning import YOUNG_THRESHOLD

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "import gc, json; before = gc.get_threshold(); import portal.wsgi; "
    "print(json.dumps([before, gc.get_threshold(), gc.get_freeze_count()]))"
)


def test_loading_the_wsgi_app_freezes_it_and_raises_the_young_threshold():
    # In a process of its own: the test process keeps CPython's defaults.
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, after, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert after == [YOUNG_THRESHOLD, before[1], before[2]]
    assert frozen > 10_000  # Django and the project's modules, models and URL patterns


def test_a_celery_worker_process_tunes_its_collector_too():
    from celery.signals import worker_process_init

    from portal.celery import _tune_gc

    receivers = [ref() for _key, ref in worker_process_init.receivers]
    assert _tune_gc in receivers
