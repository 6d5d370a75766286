"""What the SDK tests share: the shared report vectors and an SDK terminal for a test's server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from portal_terminal import Client, Queue, Terminal

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "sdk" / "vectors" / "reports.json"


def vectors() -> list[dict[str, Any]]:
    """Every vector with its report built: the base report, ``set`` applied, ``unset`` removed."""
    data = json.loads(VECTORS.read_text("utf-8"))
    built = []
    for vector in data["vectors"]:
        if "report" in vector:
            report = vector["report"]
        else:
            report = {**data["base"], **vector.get("set", {})}
            for name in vector.get("unset", []):
                report.pop(name, None)
        built.append({**vector, "report": report})
    return built


def fresh(report: Any, vector: dict[str, Any]) -> Any:
    """The vector's report under a new report_id (unless it is about the id), to post it again."""
    if not isinstance(report, dict) or "report_id" not in report:
        return report
    if "report_id" in vector.get("set", {}) or "report_id" in vector["errors"]:
        return report
    return {**report, "report_id": str(uuid.uuid4())}


def sdk_terminal(url: str, key: Any, secret: str, queue: Path, **options: Any) -> Terminal:
    """An SDK terminal with short pauses between retries (a field terminal waits longer)."""
    batch_size = options.pop("batch_size", 200)
    client = Client(
        base_url=url,
        key_id=key.key_id,
        secret=secret,
        backoff=options.pop("backoff", 0.01),
        timeout=options.pop("timeout", 60.0),  # a busy test machine is no network fault
        language="en",
        **options,
    )
    return Terminal(client=client, queue=Queue(queue), batch_size=batch_size)
