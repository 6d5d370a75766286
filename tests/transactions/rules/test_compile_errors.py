"""A document that cannot become a rule is refused with errors at JSON paths."""

from __future__ import annotations

import pytest

from transactions.models import ListKind, RuleList
from transactions.rules.compiler import CompileError, compile_document

pytestmark = pytest.mark.django_db


def errors_of(document) -> dict[str, str]:
    with pytest.raises(CompileError) as caught:
        compile_document(document)
    return {e.path: e.message for e in caught.value.errors}


def doc(when, **extra):
    return {"severity": "high", "action": "alert", "when": when, **extra}


def test_a_window_without_a_time_bound_is_refused():
    errors = errors_of(doc({"aggregate": "count", "per": "card", "op": "gte", "value": 3}))
    assert "time window" in errors["$.when.window"]


def test_a_window_beyond_ninety_days_is_refused():
    node = {"aggregate": "count", "per": "card", "window": {"last": 91, "unit": "days"}}
    errors = errors_of(doc(node | {"op": "gte", "value": 3}))
    assert "90 days" in errors["$.when.window"]


def test_a_zero_window_is_refused():
    node = {"aggregate": "sum", "per": "card", "window": {"last": 0, "unit": "hours"}}
    assert "$.when.window.last" in errors_of(doc(node | {"op": "gte", "value": "1"}))


def test_a_missing_list_is_refused():
    errors = errors_of(doc({"field": "card_token", "op": "in_list", "list": "nope"}))
    assert errors["$.when.list"] == "There is no list “nope”."


def test_a_list_of_another_kind_is_refused():
    RuleList.objects.create(code="tids", name="t", kind=ListKind.TID, purpose="block")
    errors = errors_of(doc({"field": "card_token", "op": "in_list", "list": "tids"}))
    assert "holds TIDs" in errors["$.when.list"]


def test_a_missing_scope_list_is_refused():
    when = {"field": "amount", "op": "gte", "value": "1"}
    errors = errors_of(doc(when, scope={"type": "merchant_list", "list": "gone"}))
    assert "gone" in errors["$.scope.list"]


def test_unknown_fields_operators_and_values_are_refused_at_their_path():
    errors = errors_of(
        doc(
            {
                "all": [
                    {"field": "colour", "op": "eq", "value": "red"},
                    {"field": "method", "op": "gt", "value": "wechat"},
                    {"field": "hour", "op": "eq", "value": 24},
                    {"field": "amount", "op": "gte", "value": "12.345"},
                    {"field": "method", "op": "in", "value": ["wechat", "cash"]},
                ]
            }
        )
    )
    assert set(errors) == {
        "$.when.all[0].field",
        "$.when.all[1].op",
        "$.when.all[2].value",
        "$.when.all[3].value",
        "$.when.all[4].value[1]",
    }


def test_schema_errors_name_the_key():
    errors = errors_of({"severity": "huge", "action": "alert", "when": {}, "extra": 1})
    assert set(errors) == {"$.severity", "$.when", "$.extra"}
    assert errors["$.extra"] == "Unknown field."


def test_an_aggregate_inside_a_where_is_refused():
    inner = {"aggregate": "count", "per": "card", "window": {"last": 1, "unit": "hours"}}
    inner |= {"op": "gte", "value": 1}
    node = {"aggregate": "count", "per": "terminal", "window": {"last": 1, "unit": "hours"}}
    errors = errors_of(doc(node | {"op": "gte", "value": 1, "where": inner}))
    assert "$.when.where" in errors


def test_an_aggregate_that_is_always_one_is_refused():
    node = {"aggregate": "distinct_cards", "per": "card", "window": {"last": 1, "unit": "hours"}}
    assert "$.when.per" in errors_of(doc(node | {"op": "gte", "value": 1}))


def test_a_sum_needs_an_amount():
    node = {"aggregate": "sum", "per": "card", "window": {"last": 1, "unit": "hours"}}
    assert "$.when.value" in errors_of(doc(node | {"op": "gte", "value": "lots"}))


def test_a_valid_document_compiles_with_defaults():
    compiled = compile_document(doc({"field": "amount", "op": "gte", "value": 5000}))
    assert compiled.group_by == "merchant_day"
    assert compiled.document["scope"] == {"type": "all"}
