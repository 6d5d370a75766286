"""The import graph of the code: no circles, and dependencies that run one way (README, map).

Read from the source with ``ast``, imports inside functions included (a lazy import is still a
dependency: it only hides a circle from the interpreter). Migrations are left out: they are
frozen history.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "merchants", "transactions")


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The project module an imported name lives in (``a.b.func`` -> ``a.b``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in MODULES.items():
        for imported in _imports(path):
            target = _owner(imported)
            if target and target != name:
                graph[name].add(target)
    return graph


GRAPH = _graph()


def package(module: str) -> str:
    """The feature package a module belongs to: ``transactions.audit.rules.x`` -> ``transactions.audit``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def _edges(source, target) -> list[tuple[str, str]]:
    return sorted(
        (module, imported)
        for module, imports in GRAPH.items()
        for imported in imports
        if source(module) and target(imported)
    )


def test_the_graph_reads_the_code():
    # Guards the checks below against passing on an empty graph.
    assert "transactions.ingest.store" in MODULES
    assert "transactions.analytics.rollups" in GRAPH["transactions.ingest.store"]


def test_no_module_imports_itself_back():
    assert _cycles(GRAPH) == []


def test_no_feature_package_imports_itself_back():
    packages: dict[str, set[str]] = defaultdict(set)
    for module, imports in GRAPH.items():
        for imported in imports:
            if package(module) != package(imported):
                packages[package(module)].add(package(imported))
    assert _cycles(packages) == []


def test_the_shared_package_imports_neither_app():
    assert (
        _edges(
            lambda m: m.startswith("portal.common"),
            lambda m: m.startswith(("merchants", "transactions")),
        )
        == []
    )


def test_merchants_never_imports_transactions():
    assert _edges(lambda m: m.startswith("merchants"), lambda m: m.startswith("transactions")) == []


@pytest.mark.parametrize("models", ["merchants.models", "transactions.models"])
def test_models_import_only_models_and_the_shared_package(models):
    allowed = ("merchants.models", "transactions.models", "portal.common")
    assert _edges(lambda m: m.startswith(models), lambda m: not m.startswith(allowed)) == []


def test_nothing_imports_the_tasks_module():
    # Services queue tasks by name (portal.common.queue); Celery alone imports tasks.py.
    assert _edges(lambda m: True, lambda m: m == "transactions.tasks") == []


def test_views_are_imported_by_urls_only():
    # Features use each other's services and selectors, never each other's views; admin and
    # services share code through modules of their own, not through a view.
    assert _edges(lambda m: not m.endswith("urls"), lambda m: m.rpartition(".")[2] == "views") == []
