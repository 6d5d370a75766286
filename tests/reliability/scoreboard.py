"""Figures the reliability tests print, collected for docs/RELIABILITY.md.

A test calls ``record("fuzzing", "payloads fuzzed", 1234)``: the figure is printed (run pytest
with ``-s`` or read the captured output) and appended as one JSON line to
``var/reliability/<section>.jsonl``, which ``scripts/scoreboard`` turns into the scoreboard.
Appending one line per figure keeps parallel pytest workers from overwriting each other.

Each line names its run and its worker. Under pytest-xdist a count kept per process (rows the
card-data scan read, payloads one worker fuzzed) is only that worker's share: recorded with
``additive=True``, the scoreboard adds up the workers of the latest run instead of showing the
last worker's value.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

SCOREBOARD_DIR = Path(settings.BASE_DIR) / "var" / "reliability"
# pytest-xdist gives its workers one id per test run; a process of its own is a run of its own.
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


def record(
    section: str, figure: str, value: Any, *, note: str = "", additive: bool = False
) -> None:
    """Print a figure and keep it for the scoreboard.

    The latest value of a figure wins; with ``additive`` the latest value of each worker of the
    latest run, added up (a process's cumulative count: record it again, never a delta).
    """
    SCOREBOARD_DIR.mkdir(parents=True, exist_ok=True)
    line = {
        "section": section,
        "figure": figure,
        "value": value,
        "note": note,
        "additive": additive,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "run": RUN,
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(f"[scoreboard] {section}: {figure} = {value}{f' ({note})' if note else ''}")
    with (SCOREBOARD_DIR / f"{section}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
