"""The form builder's model of a rule's conditions: rows and groups, to and from the document.

Reviewers do not write JSON: admin shows the ``when`` of a document as groups (all / any, each
optionally negated) of rows, a row being a field condition (field, operator, value) or a window
aggregate (count / sum / distinct cards / distinct terminals per card, terminal or merchant over
the last N minutes, hours or days, or the Beijing day, compared with a threshold). The form posts
the tree as flat fields named ``when:<node id>:<attribute>`` (``when:n.1.0:op``); htmx posts the
same fields to add or remove a row or a group and gets the builder back, re-rendered.

The tree becomes the same JSON document the schema validates; each node remembers its JSON path,
so the compiler's errors (``$.when.all[1].value``) come back on the row they are about. An
aggregate's ``where`` filter has no row of its own: it is carried along as JSON, unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from transactions.rules.fields import FIELDS
from transactions.rules.schema import FieldError

PREFIX = "when:"
ROOT = "n"
LIST_OPS = ("in_list", "not_in_list")
SET_OPS = ("in", "not_in")
GROUP_KINDS = ("all", "any")
CALENDAR_DAY = "calendar_day"
ROW_ATTRS = {
    "field": ("field", "op", "value", "list"),
    "aggregate": ("fn", "per", "last", "unit", "op", "value", "where"),
}
INTEGER_FIELDS = frozenset({"hour", "weekday"})
NUMBER_FIELDS = frozenset({"distance_km"})
OPS = ["add_field", "add_aggregate", "add_group", "remove", "refresh"]
# Groups nest at most this deep (a posted name deeper is ignored: no runaway recursion).
MAX_DEPTH = 6
_NAME = re.compile(rf"^when:(n(?:\.\d{{1,3}}){{0,{MAX_DEPTH}}}):([a-z_]+)$")


@dataclass
class Node:
    """A group (``kind`` all / any, ``negate`` for NOT) or a row (``kind`` field / aggregate).

    A row keeps what the reviewer typed, as text, so a bad value comes back as typed.
    """

    kind: str
    id: str = ROOT
    negate: bool = False
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.kind in GROUP_KINDS

    def walk(self) -> list[Node]:
        return [self, *(n for c in self.children for n in c.walk())]

    def find(self, node_id: str) -> Node | None:
        return next((n for n in self.walk() if n.id == node_id), None)

    def renumber(self, node_id: str = ROOT) -> Node:
        self.id = node_id
        for i, item in enumerate(self.children):
            item.renumber(f"{node_id}.{i}")
        return self


def empty() -> Node:
    """A new rule's conditions: one group with one row to fill in."""
    return Node("all", children=[new_row("field")]).renumber()


def new_row(kind: str) -> Node:
    if kind == "aggregate":
        return Node(
            "aggregate",
            attrs={"fn": "count", "per": "card", "last": "", "unit": "hours", "op": "gte"},
        )
    if kind in GROUP_KINDS:
        return Node(kind, children=[new_row("field")])
    return Node("field", attrs={"field": "amount", "op": "gte", "value": ""})


# -- from a document ---------------------------------------------------------------------------


def from_document(when: Any) -> Node:
    """The builder's tree for a document's ``when`` (the root is always a group)."""
    node = _node(when)
    if not node.is_group:
        node = Node("all", children=[node])
    return node.renumber()


def _node(raw: Any) -> Node:
    if not isinstance(raw, dict):
        return new_row("field")
    for kind in GROUP_KINDS:
        if isinstance(raw.get(kind), list):
            return Node(kind, children=[_node(item) for item in raw[kind]])
    if "not" in raw:
        inner = _node(raw["not"])
        if inner.is_group and not inner.negate:
            inner.negate = True
            return inner
        return Node("all", negate=True, children=[inner])
    if "aggregate" in raw:
        window = raw.get("window") or {}
        calendar = isinstance(window, dict) and "calendar" in window
        attrs = {
            "fn": raw.get("aggregate"),
            "per": raw.get("per"),
            "last": "" if calendar else window.get("last", ""),
            "unit": CALENDAR_DAY if calendar else window.get("unit", "hours"),
            "op": raw.get("op"),
            "value": raw.get("value", ""),
            "where": json.dumps(raw["where"], ensure_ascii=False) if "where" in raw else "",
        }
        return Node("aggregate", attrs={k: _text(v) for k, v in attrs.items()})
    value = raw.get("value", "")
    attrs = {
        "field": raw.get("field"),
        "op": raw.get("op"),
        "value": ", ".join(_text(v) for v in value) if isinstance(value, list) else value,
        "list": raw.get("list", ""),
    }
    return Node("field", attrs={k: _text(v) for k, v in attrs.items()})


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# -- from the posted form ----------------------------------------------------------------------


def from_post(data: Mapping[str, Any]) -> Node | None:
    """The tree the form posted (``when:<id>:<attr>`` fields); None when it posted none."""
    posted: dict[str, dict[str, str]] = {}
    for name in data:
        found = _NAME.match(name)
        if found:
            value = data.get(name)
            posted.setdefault(found[1], {})[found[2]] = "" if value is None else str(value).strip()
    if ROOT not in posted:
        return None
    return _posted(ROOT, posted).renumber()


def _posted(node_id: str, posted: dict[str, dict[str, str]]) -> Node:
    attrs = posted.get(node_id, {})
    kind = attrs.get("kind", "")
    if kind in ROW_ATTRS:
        return Node(kind, node_id, attrs={a: attrs.get(a, "") for a in ROW_ATTRS[kind]})
    depth = node_id.count(".") + 1
    kids = sorted(
        (int(other.rsplit(".", 1)[1]), other)
        for other in posted
        if other.startswith(node_id + ".") and other.count(".") == depth
    )
    return Node(
        kind if kind in GROUP_KINDS else "all",
        node_id,
        negate=attrs.get("negate") == "1",
        children=[_posted(other, posted) for _i, other in kids],
    )


def apply(tree: Node, op: str, target: str) -> bool:
    """Add a row or a group to the group ``target``, or remove the node ``target``; False when
    the target is not there (or is no group to add to, or is the root to remove)."""
    node = tree.find(target)
    if node is None or op not in OPS:
        return False
    if op == "refresh":
        # A field was chosen: an operator it does not take becomes its first one.
        for row in tree.walk():
            ops = field_ops(row.attrs.get("field", "")) if row.kind == "field" else []
            if ops and row.attrs.get("op") not in ops:
                row.attrs["op"] = ops[0]
        return True
    if op == "remove":
        parent = tree.find(target.rsplit(".", 1)[0]) if target != ROOT else None
        if parent is None:
            return False
        parent.children = [c for c in parent.children if c.id != target]
    elif not node.is_group or (op == "add_group" and target.count(".") >= MAX_DEPTH - 1):
        return False
    else:
        kind = {"add_field": "field", "add_aggregate": "aggregate", "add_group": "any"}[op]
        node.children.append(new_row(kind))
    tree.renumber()
    return True


# -- to a document -----------------------------------------------------------------------------


def to_document(tree: Node) -> tuple[dict[str, Any], dict[str, str]]:
    """The ``when`` of the document, and each JSON path's node id (for the errors)."""
    paths: dict[str, str] = {}
    if not tree.negate and len(tree.children) == 1:
        # One condition needs no group: the document stays as a reviewer would write it.
        paths["$.when"] = tree.id
        return _doc(tree.children[0], "$.when", paths), paths
    return _doc(tree, "$.when", paths), paths


def _doc(node: Node, path: str, paths: dict[str, str]) -> dict[str, Any]:
    paths.setdefault(path, node.id)
    if node.kind == "field":
        return _field(node.attrs)
    if node.kind == "aggregate":
        return _aggregate(node.attrs)
    if node.negate and len(node.children) == 1:
        return {"not": _doc(node.children[0], f"{path}.not", paths)}
    base = f"{path}.not" if node.negate else path
    paths.setdefault(base, node.id)
    group = {
        node.kind: [
            _doc(item, f"{base}.{node.kind}[{i}]", paths) for i, item in enumerate(node.children)
        ]
    }
    return {"not": group} if node.negate else group


def _field(attrs: Mapping[str, str]) -> dict[str, Any]:
    name, op = attrs.get("field", ""), attrs.get("op", "")
    doc: dict[str, Any] = {"field": name, "op": op}
    if op in LIST_OPS:
        if attrs.get("list"):
            doc["list"] = attrs["list"]
        return doc
    raw = attrs.get("value", "")
    if op in SET_OPS:
        items = [_scalar(name, item.strip()) for item in raw.split(",") if item.strip()]
        if items:
            doc["value"] = items
    elif raw:
        doc["value"] = _scalar(name, raw)
    return doc


def _scalar(name: str, raw: str) -> Any:
    """A typed operand as the schema and the field take it; left as typed when it is none."""
    if name in INTEGER_FIELDS and re.fullmatch(r"\d+", raw):
        return int(raw)
    if name in NUMBER_FIELDS and re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw) if "." in raw else int(raw)
    return raw


def _aggregate(attrs: Mapping[str, str]) -> dict[str, Any]:
    unit, last = attrs.get("unit", ""), attrs.get("last", "")
    doc: dict[str, Any] = {"aggregate": attrs.get("fn", ""), "per": attrs.get("per", "")}
    if unit == CALENDAR_DAY:
        doc["window"] = {"calendar": "day"}
    elif last:
        # No number, no window: the compiler refuses a scan without a time bound.
        doc["window"] = {"last": int(last) if re.fullmatch(r"\d+", last) else last, "unit": unit}
    doc["op"] = attrs.get("op", "")
    value = attrs.get("value", "")
    if value:
        whole = attrs.get("fn") != "sum" and re.fullmatch(r"\d+", value)
        doc["value"] = int(value) if whole else value
    if attrs.get("where"):
        try:
            doc["where"] = json.loads(attrs["where"])
        except ValueError:
            doc["where"] = attrs["where"]  # the schema says it is no condition
    return doc


# -- errors back on their rows -----------------------------------------------------------------


def place_errors(tree: Node, paths: Mapping[str, str], errors: list[FieldError]) -> list[str]:
    """Put each error under the deepest node its path is in; returns those about no node."""
    left = []
    ordered = sorted(paths.items(), key=lambda item: len(item[0]), reverse=True)
    for error in errors:
        found = next(
            (
                (path, node_id)
                for path, node_id in ordered
                if error.path == path or error.path.startswith((path + ".", path + "["))
            ),
            None,
        )
        node = tree.find(found[1]) if found else None
        if found is None or node is None:
            left.append(str(error))
            continue
        rest = error.path[len(found[0]) :].lstrip(".")
        key = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else ""
        label = _attr_label(key)
        node.errors.append(f"{label}: {error.message}" if label else error.message)
    return left


def _attr_label(key: str) -> str:
    labels = {
        "field": _("field"),
        "op": _("operator"),
        "value": _("value"),
        "list": _("list"),
        "aggregate": _("measure"),
        "per": _("per"),
        "window": _("period"),
        "where": _("filter"),
    }
    return str(labels.get(key, key))


def field_ops(name: str) -> list[str]:
    """The operators the field takes, in the builder's order (every one for an unknown field)."""
    order = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "multiple_of", *LIST_OPS]
    spec = FIELDS.get(name)
    return [op for op in order if spec is None or op in spec.ops]
