"""A readable difference between two rule documents: which path changed, from what, to what."""

from __future__ import annotations

import json
from typing import Any


def flatten(document: Any, path: str = "$") -> dict[str, str]:
    """Every scalar of ``document`` by its JSON path (a list of scalars counts as one value)."""
    if isinstance(document, dict):
        flat: dict[str, str] = {}
        for key, value in document.items():
            flat |= flatten(value, f"{path}.{key}")
        return flat
    if isinstance(document, list) and any(isinstance(item, dict | list) for item in document):
        flat = {}
        for i, item in enumerate(document):
            flat |= flatten(item, f"{path}[{i}]")
        return flat
    return {path: json.dumps(document, ensure_ascii=False)}


def document_diff(before: Any, after: Any) -> list[dict[str, str]]:
    """``[{"path", "before", "after"}]`` for every path added, removed or changed ("" = absent)."""
    old, new = flatten(before) if before is not None else {}, flatten(after)
    return [
        {"path": path, "before": old.get(path, ""), "after": new.get(path, "")}
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path)
    ]
