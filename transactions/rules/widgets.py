"""The form builder as a form widget: it renders the tree of conditions and reads it back.

No script of ours: the rows are plain inputs the form posts, the buttons (add a condition, an
aggregate, a group; remove) and the field and operator choosers post the form with htmx to
``RuleAdmin.builder_view``, which applies the step and sends the builder back
(``transactions/rules/builder.py``). The Content-Security-Policy forbids inline scripts, and
needs none here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from transactions.models import RuleList
from transactions.rules import builder
from transactions.rules.builder import Node
from transactions.rules.fields import FIELDS

TEMPLATE = "admin/transactions/rule/builder.html"

OP_LABELS = {
    "eq": _("equals"),
    "ne": _("does not equal"),
    "lt": _("is less than"),
    "lte": _("is at most"),
    "gt": _("is more than"),
    "gte": _("is at least"),
    "in": _("is one of (comma-separated)"),
    "not_in": _("is none of (comma-separated)"),
    "multiple_of": _("is a multiple of"),
    "in_list": _("is in the list"),
    "not_in_list": _("is not in the list"),
}
AGGREGATE_OPS = ["eq", "ne", "lt", "lte", "gt", "gte"]
FUNCTIONS = {
    "count": _("number of reports"),
    "sum": _("sum of amounts (¥)"),
    "distinct_cards": _("distinct cards"),
    "distinct_terminals": _("distinct terminals"),
}
PERS = {
    "card": _("per card (at the merchant)"),
    "terminal": _("per terminal"),
    "merchant": _("per merchant"),
}
UNITS = {
    "minutes": _("minutes"),
    "hours": _("hours"),
    "days": _("days"),
    builder.CALENDAR_DAY: _("the report's Beijing day (no number)"),
}


def _choices(labels: Mapping[str, Any], chosen: str) -> list[tuple[str, Any, bool]]:
    options = [(value, label, value == chosen) for value, label in labels.items()]
    if chosen and chosen not in labels:
        options.insert(0, (chosen, chosen, True))  # kept as written, refused by the compiler
    return options


def _view(node: Node, lists: Mapping[str, list[str]]) -> dict[str, Any]:
    """What the template shows of a node: its inputs' choices, already marked."""
    view: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind,
        "is_group": node.is_group,
        "is_root": node.id == builder.ROOT,
        "negate": node.negate,
        "attrs": node.attrs,
        "errors": node.errors,
        "children": [_view(item, lists) for item in node.children],
    }
    attrs = node.attrs
    if node.kind == "field":
        spec = FIELDS.get(attrs.get("field", ""))
        fields = {name: f.label for name, f in FIELDS.items()}
        ops = {op: OP_LABELS[op] for op in builder.field_ops(attrs.get("field", ""))}
        kind = spec.list_kind if spec else None
        view |= {
            "fields": _choices(fields, attrs.get("field", "")),
            "ops": _choices(ops, attrs.get("op", "")),
            "takes_list": attrs.get("op") in builder.LIST_OPS,
            "lists": _choices({c: c for c in lists.get(kind or "", [])}, attrs.get("list", "")),
            "hint": spec.hint if spec else "",
        }
    elif node.kind == "aggregate":
        view |= {
            "functions": _choices(FUNCTIONS, attrs.get("fn", "")),
            "pers": _choices(PERS, attrs.get("per", "")),
            "units": _choices(UNITS, attrs.get("unit", "")),
            "ops": _choices({op: OP_LABELS[op] for op in AGGREGATE_OPS}, attrs.get("op", "")),
            "calendar": attrs.get("unit") == builder.CALENDAR_DAY,
        }
    return view


def render_builder(tree: Node, errors: list[str] | None = None) -> SafeString:
    """The builder's HTML for ``tree`` (the widget's and the htmx view's)."""
    lists: dict[str, list[str]] = {}
    for code, kind in RuleList.objects.order_by("code").values_list("code", "kind"):
        lists.setdefault(kind, []).append(code)
    return render_to_string(
        TEMPLATE,
        {
            "tree": _view(tree, lists),
            "errors": errors or [],
            "builder_url": reverse("admin:transactions_rule_builder"),
        },
    )


class ConditionBuilder(forms.Widget):
    """Rows and groups of conditions posted as ``when:<node id>:<attribute>`` fields."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        # Set by the form's clean(): the compiler's errors, by the node they are about.
        self.node_errors: dict[str, list[str]] = {}

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Node | None:
        return builder.from_post(data)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return builder.from_post(data) is None

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        tree = value if isinstance(value, Node) else builder.empty()
        for node in tree.walk():
            node.errors = list(self.node_errors.get(node.id, []))
        return render_builder(tree)


class ConditionsField(forms.Field):
    """The ``when`` of a rule, built from rows; cleaned to the builder's tree."""

    widget = ConditionBuilder

    def to_python(self, value: Any) -> Node | None:
        return value if isinstance(value, Node) else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        if not isinstance(initial, Node) or not isinstance(data, Node):
            return initial is not data
        return builder.to_document(initial)[0] != builder.to_document(data)[0]
