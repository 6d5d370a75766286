"""Each condition and aggregate gives the same answer in SQL (audit, backtest) and in Python
(real-time screening), on the same reports, on whichever database the suite runs on."""

from __future__ import annotations

import pytest

from tests.transactions.rules import dataset
from transactions.models import ListKind, ListPurpose, RuleList, RuleListEntry
from transactions.rules.compiler import compile_document
from transactions.rules.fields import report_rows

pytestmark = pytest.mark.django_db


def rule(when: dict, **extra) -> dict:
    return {"severity": "high", "action": "alert", "when": when, **extra}


def agg(fn: str, per: str, last: int, unit: str, op: str, value, where=None) -> dict:
    node = {"aggregate": fn, "per": per, "window": {"last": last, "unit": unit}, "op": op}
    node["value"] = value
    if where is not None:
        node["where"] = where
    return node


CASES = {
    "amount_gte": rule({"field": "amount", "op": "gte", "value": "5000"}),
    "amount_lt": rule({"field": "amount", "op": "lt", "value": 300}),
    "amount_eq": rule({"field": "amount", "op": "eq", "value": "4999.50"}),
    "amount_ne": rule({"field": "amount", "op": "ne", "value": "300"}),
    "amount_multiple_of": rule({"field": "amount", "op": "multiple_of", "value": "1000"}),
    "method_in": rule({"field": "method", "op": "in", "value": ["wechat", "alipay"]}),
    "method_not_in": rule({"field": "method", "op": "not_in", "value": ["credit_card"]}),
    "type_eq": rule({"field": "type", "op": "eq", "value": "sale"}),
    "cvm_ne": rule({"field": "cvm", "op": "ne", "value": "pin"}),
    "source_eq": rule({"field": "source", "op": "eq", "value": "file"}),
    "hour_gte": rule({"field": "hour", "op": "gte", "value": 22}),
    "hour_in": rule({"field": "hour", "op": "in", "value": [9, 23]}),
    "weekday_eq": rule({"field": "weekday", "op": "eq", "value": 3}),
    "mcc_eq": rule({"field": "mcc", "op": "eq", "value": "5812"}),
    "region_eq": rule({"field": "region", "op": "eq", "value": "44"}),
    "distance_gt": rule({"field": "distance_km", "op": "gt", "value": 5}),
    "distance_lte": rule({"field": "distance_km", "op": "lte", "value": 5}),
    "not_distance_gt": rule({"not": {"field": "distance_km", "op": "gt", "value": 5}}),
    "card_token_eq": rule({"field": "card_token", "op": "eq", "value": "card-a"}),
    "tid_list": rule({"field": "tid", "op": "in_list", "list": "tids"}),
    "card_not_in_list": rule({"field": "card_token", "op": "not_in_list", "list": "cards"}),
    "region_in_list": rule({"field": "region", "op": "in_list", "list": "regions"}),
    "mid_in_list": rule({"field": "mid", "op": "in_list", "list": "mids"}),
    "any": rule(
        {
            "any": [
                {"field": "amount", "op": "gte", "value": "7000"},
                {"field": "method", "op": "eq", "value": "wechat"},
            ]
        }
    ),
    "all_not": rule(
        {
            "all": [
                {"field": "type", "op": "eq", "value": "sale"},
                {"not": {"field": "cvm", "op": "in", "value": ["pin", "signature"]}},
            ]
        }
    ),
    "count_card_10m": rule(agg("count", "card", 10, "minutes", "gte", 3)),
    "count_card_1h_where": rule(
        agg("count", "card", 1, "hours", "gte", 2, {"field": "amount", "op": "gte", "value": 5000})
    ),
    "count_terminal_1d": rule(agg("count", "terminal", 1, "days", "gte", 5)),
    "count_merchant_15m": rule(agg("count", "merchant", 15, "minutes", "eq", 4)),
    "sum_card_1h": rule(agg("sum", "card", 1, "hours", "gt", "10000")),
    "sum_terminal_3d": rule(agg("sum", "terminal", 3, "days", "lt", "500")),
    "sum_merchant_1d": rule(agg("sum", "merchant", 1, "days", "gte", "30000")),
    "distinct_cards_terminal_1d": rule(agg("distinct_cards", "terminal", 1, "days", "gte", 2)),
    "distinct_cards_merchant_3d": rule(agg("distinct_cards", "merchant", 3, "days", "ne", 2)),
    "distinct_terminals_card_1h": rule(agg("distinct_terminals", "card", 1, "hours", "gte", 2)),
    "distinct_terminals_merchant_1d": rule(
        agg("distinct_terminals", "merchant", 1, "days", "eq", 1)
    ),
    "count_card_calendar_day": rule(
        {
            "aggregate": "count",
            "per": "card",
            "window": {"calendar": "day"},
            "op": "gte",
            "value": 4,
        }
    ),
    "sum_merchant_calendar_day": rule(
        {
            "aggregate": "sum",
            "per": "merchant",
            "window": {"calendar": "day"},
            "op": "gt",
            "value": "30000",
        }
    ),
    "not_aggregate": rule({"not": agg("count", "card", 1, "hours", "gte", 2)}),
    "mixed": rule(
        {
            "all": [
                {"field": "amount", "op": "gte", "value": "5000"},
                {
                    "any": [
                        agg("count", "card", 30, "minutes", "gte", 3),
                        {"field": "distance_km", "op": "gt", "value": 100},
                    ]
                },
            ]
        }
    ),
    "scope_mcc_group": rule(
        {"field": "amount", "op": "gte", "value": "1"},
        scope={"type": "mcc_group", "mccs": ["5812"]},
    ),
    "scope_merchant_list": rule(
        {"field": "amount", "op": "gte", "value": "1"},
        scope={"type": "merchant_list", "list": "mids"},
    ),
}


@pytest.fixture
def data():
    built = dataset.build()
    t1, _t2, t3 = built["terminals"]
    lists = {
        "tids": (ListKind.TID, [t1.tid]),
        "cards": (ListKind.CARD_TOKEN, ["card-a", "card-b"]),
        "regions": (ListKind.REGION, ["44"]),
        "mids": (ListKind.MID, [t3.merchant.mid]),
    }
    for code, (kind, values) in lists.items():
        made = RuleList.objects.create(code=code, name=code, kind=kind, purpose=ListPurpose.BLOCK)
        RuleListEntry.objects.bulk_create(RuleListEntry(rule_list=made, value=v) for v in values)
    return built


@pytest.mark.parametrize("name", sorted(CASES))
def test_sql_and_python_agree(data, name):
    compiled = compile_document(CASES[name])
    in_sql = set(compiled.queryset(dataset.all_reports()).values_list("id", flat=True))
    in_python = {row["id"] for row in report_rows(data["ids"]) if compiled.matches(row)}
    assert in_sql == in_python
    # Each case separates the data set: some reports match, some do not.
    assert in_sql and in_sql != set(data["ids"]), name
