"""The shape of a rule document, written as data, and a small strict validator for it.

A document says *when* a report matches (conditions over its fields and over window aggregates,
combined with ``all`` / ``any`` / ``not``), how bad that is (``severity``), what happens
(``action``), to which merchants it applies (``scope``) and how matches become alerts
(``group_by``)::

    {"severity": "high", "action": "review", "scope": {"type": "all"}, "group_by": "card_day",
     "when": {"all": [
        {"field": "amount", "op": "gte", "value": "5000"},
        {"aggregate": "count", "per": "card", "window": {"last": 24, "unit": "hours"},
         "op": "gte", "value": 3}]}}

A window is either ``{"last": N, "unit": "minutes" | "hours" | "days"}`` or
``{"calendar": "day"}``, the report's Beijing day.

Why not the ``jsonschema`` library: its messages are English only and its errors under ``oneOf``
("is not valid under any of the given schemas") do not tell a reviewer which key is wrong. This
validator knows the few keywords the schema uses, refuses every key it does not know, and says
each error in the reader's language at a JSON path (``$.when.all[1].window``). What depends on
the field (which operators, which values) is checked by the compiler, with the same paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_WINDOW_DAYS = 90
MAX_ITEMS = 500

FIELD_OPS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "multiple_of"]
LIST_OPS = ["in_list", "not_in_list"]
AGGREGATE_OPS = ["eq", "ne", "lt", "lte", "gt", "gte"]
SCALAR = {"type": ["string", "number", "integer"]}

SCHEMA: dict[str, Any] = {
    "definitions": {
        "node": {
            "oneKeyOf": {
                "all": {"$ref": "group"},
                "any": {"$ref": "group"},
                "not": {"$ref": "not"},
                "field": {"$ref": "field"},
                "aggregate": {"$ref": "aggregate"},
            }
        },
        "group": {
            "type": "object",
            "properties": {
                "all": {"type": "array", "items": {"$ref": "node"}, "minItems": 1},
                "any": {"type": "array", "items": {"$ref": "node"}, "minItems": 1},
            },
        },
        "not": {"type": "object", "properties": {"not": {"$ref": "node"}}},
        "field": {
            "type": "object",
            "required": ["field", "op"],
            "properties": {
                "field": {"type": "string"},
                "op": {"enum": FIELD_OPS + LIST_OPS},
                "value": {
                    "type": ["string", "number", "integer", "array"],
                    "items": SCALAR,
                    "minItems": 1,
                    "maxItems": MAX_ITEMS,
                },
                "list": {"type": "string", "minLength": 1, "maxLength": 40},
            },
        },
        "aggregate": {
            "type": "object",
            "required": ["aggregate", "per", "window", "op", "value"],
            "properties": {
                "aggregate": {"enum": ["count", "sum", "distinct_cards", "distinct_terminals"]},
                "per": {"enum": ["card", "terminal", "merchant"]},
                "window": {"$ref": "window"},
                "where": {"$ref": "node"},
                "op": {"enum": AGGREGATE_OPS},
                "value": {"type": ["string", "number", "integer"]},
            },
        },
        "window": {"oneKeyOf": {"last": {"$ref": "sliding"}, "calendar": {"$ref": "calendar"}}},
        # The last N minutes / hours / days up to the report, the report included.
        "sliding": {
            "type": "object",
            "required": ["last", "unit"],
            "properties": {
                "last": {"type": "integer", "minimum": 1},
                "unit": {"enum": ["minutes", "hours", "days"]},
            },
        },
        # The report's whole Beijing calendar day (at report time: the day so far).
        "calendar": {"type": "object", "properties": {"calendar": {"enum": ["day"]}}},
        "scope": {
            "switch": {
                "key": "type",
                "cases": {
                    "all": {"type": "object", "properties": {"type": {"type": "string"}}},
                    "mcc_group": {
                        "type": "object",
                        "required": ["mccs"],
                        "properties": {
                            "type": {"type": "string"},
                            "mccs": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": MAX_ITEMS,
                                "items": {"type": "string", "pattern": r"^\d{4}$"},
                            },
                        },
                    },
                    "merchants": {
                        "type": "object",
                        "required": ["mids"],
                        "properties": {
                            "type": {"type": "string"},
                            "mids": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": MAX_ITEMS,
                                "items": {"type": "string", "pattern": r"^\d{15}$"},
                            },
                        },
                    },
                    "merchant_list": {
                        "type": "object",
                        "required": ["list"],
                        "properties": {
                            "type": {"type": "string"},
                            "list": {"type": "string", "minLength": 1, "maxLength": 40},
                        },
                    },
                },
            }
        },
    },
    "type": "object",
    "required": ["severity", "action", "when"],
    "properties": {
        "severity": {"enum": ["low", "medium", "high", "critical"]},
        "action": {"enum": ["alert", "review", "hold"]},
        "scope": {"$ref": "scope"},
        "group_by": {"enum": ["report", "merchant_day", "terminal_day", "card_day"]},
        "when": {"$ref": "node"},
    },
}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with a document, at a JSON path (``$`` is the document)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def child(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def validate(document: Any, schema: Mapping[str, Any] = SCHEMA) -> list[FieldError]:
    """Every way ``document`` breaks ``schema``; empty when it fits."""
    errors: list[FieldError] = []
    _check(document, schema, "$", schema.get("definitions", {}), errors)
    return errors


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False  # JSON true is no number
    return isinstance(value, _TYPES[kind])


def _check(
    value: Any, schema: Mapping[str, Any], path: str, defs: Mapping[str, Any], errors: list
) -> None:
    if "$ref" in schema:
        _check(value, defs[schema["$ref"]], path, defs, errors)
        return
    if "oneKeyOf" in schema:
        _one_key_of(value, schema["oneKeyOf"], path, defs, errors)
        return
    if "switch" in schema:
        _switch(value, schema["switch"], path, defs, errors)
        return
    if "enum" in schema:
        if value not in schema["enum"]:
            choices = ", ".join(str(v) for v in schema["enum"])
            errors.append(
                FieldError(path, _("Must be one of: %(choices)s.") % {"choices": choices})
            )
        return
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, kind) for kind in kinds):
            errors.append(FieldError(path, _("Must be %(kinds)s.") % {"kinds": _or(kinds)}))
            return
    if isinstance(value, dict):
        _object(value, schema, path, defs, errors)
    elif isinstance(value, list):
        _array(value, schema, path, defs, errors)
    elif isinstance(value, str):
        _string(value, schema, path, errors)
    elif isinstance(value, int | float) and "minimum" in schema and value < schema["minimum"]:
        errors.append(
            FieldError(path, _("Must be at least %(minimum)s.") % {"minimum": schema["minimum"]})
        )


def _or(kinds: list[str]) -> str:
    names = {
        "object": _("an object"),
        "array": _("a list"),
        "string": _("a text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("true or false"),
    }
    return _(" or ").join(str(names[k]) for k in kinds)


def _object(
    value: dict, schema: Mapping[str, Any], path: str, defs: Mapping[str, Any], errors: list
) -> None:
    properties = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in value:
            errors.append(FieldError(child(path, key), _("This field is required.")))
    for key, item in value.items():
        if key not in properties:
            errors.append(FieldError(child(path, key), _("Unknown field.")))
            continue
        _check(item, properties[key], child(path, key), defs, errors)


def _array(
    value: list, schema: Mapping[str, Any], path: str, defs: Mapping[str, Any], errors: list
) -> None:
    if len(value) < schema.get("minItems", 0):
        errors.append(
            FieldError(path, _("Needs at least %(n)s item(s).") % {"n": schema["minItems"]})
        )
    if len(value) > schema.get("maxItems", len(value)):
        errors.append(FieldError(path, _("Holds at most %(n)s items.") % {"n": schema["maxItems"]}))
    if "items" in schema:
        for i, item in enumerate(value):
            _check(item, schema["items"], child(path, i), defs, errors)


def _string(value: str, schema: Mapping[str, Any], path: str, errors: list) -> None:
    if len(value) < schema.get("minLength", 0):
        errors.append(FieldError(path, _("This field is required.")))
    elif len(value) > schema.get("maxLength", len(value)):
        errors.append(FieldError(path, _("At most %(n)s characters.") % {"n": schema["maxLength"]}))
    elif "pattern" in schema and not re.fullmatch(schema["pattern"], value):
        errors.append(FieldError(path, _("“%(value)s” is not valid here.") % {"value": value}))


def _one_key_of(
    value: Any, cases: Mapping[str, Any], path: str, defs: Mapping[str, Any], errors: list
) -> None:
    """A condition is told apart by the one key it has among ``cases`` (all, any, not, …)."""
    keys = [key for key in cases if isinstance(value, dict) and key in value]
    if len(keys) != 1:
        errors.append(
            FieldError(
                path,
                _("A condition needs exactly one of: %(keys)s.") % {"keys": ", ".join(cases)},
            )
        )
        return
    _check(value, cases[keys[0]], path, defs, errors)


def _switch(
    value: Any, switch: Mapping[str, Any], path: str, defs: Mapping[str, Any], errors: list
) -> None:
    """An object whose ``key`` names its variant (a scope's ``type``)."""
    cases = switch["cases"]
    kind = value.get(switch["key"]) if isinstance(value, dict) else None
    if kind not in cases:
        choices = ", ".join(cases)
        errors.append(
            FieldError(
                child(path, switch["key"]),
                _("Must be one of: %(choices)s.") % {"choices": choices},
            )
        )
        return
    _check(value, cases[kind], path, defs, errors)
