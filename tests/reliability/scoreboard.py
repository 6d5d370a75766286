"""Figures the reliability tests print, collected for docs/RELIABILITY.md.

A test calls ``record("fuzzing", "payloads fuzzed", 1234)``: the figure is printed (run pytest
with ``-s`` or read the captured output) and appended as one JSON line to
``var/reliability/<section>.jsonl``, which ``scripts/scoreboard`` turns into the scoreboard.
Appending one line per figure keeps parallel pytest workers from overwriting each other.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

SCOREBOARD_DIR = Path(settings.BASE_DIR) / "var" / "reliability"


def record(section: str, figure: str, value: Any, *, note: str = "") -> None:
    """Print a figure and keep it for the scoreboard (the last value per figure wins)."""
    SCOREBOARD_DIR.mkdir(parents=True, exist_ok=True)
    line = {
        "section": section,
        "figure": figure,
        "value": value,
        "note": note,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(f"[scoreboard] {section}: {figure} = {value}{f' ({note})' if note else ''}")
    with (SCOREBOARD_DIR / f"{section}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
