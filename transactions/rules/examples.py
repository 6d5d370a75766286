"""Built-in rules that can be written as data, shipped as editable examples (drafts).

Each gives the same findings as its built-in module on the same reports
(tests/transactions/rules/test_examples.py): a starting point compliance staff copy and adapt,
backtest and put live without a release.
"""

from __future__ import annotations

from typing import Any

from transactions.models import Rule
from transactions.rules.services import rule_create

EXAMPLES: dict[str, dict[str, Any]] = {
    "example_same_card": {
        "name": "Same card repeatedly (套现), as data",
        "description": "One card used 5 times or more at one merchant in a Beijing day "
        "(the built-in cashout_same_card).",
        "document": {
            "severity": "high",
            "action": "alert",
            "scope": {"type": "all"},
            "group_by": "card_day",
            "when": {
                "aggregate": "count",
                "per": "card",
                "window": {"calendar": "day"},
                "op": "gte",
                "value": 5,
            },
        },
    },
    "example_round_amount": {
        "name": "Large round amounts (套现), as data",
        "description": "Sales of at least ¥5,000 in exact multiples of ¥1,000, one alert per "
        "merchant and day (the built-in cashout_round_amount).",
        "document": {
            "severity": "medium",
            "action": "alert",
            "scope": {"type": "all"},
            "group_by": "merchant_day",
            "when": {
                "all": [
                    {"field": "type", "op": "eq", "value": "sale"},
                    {"field": "amount", "op": "gte", "value": "5000"},
                    {"field": "amount", "op": "multiple_of", "value": "1000"},
                ]
            },
        },
    },
    "example_unverified_high": {
        "name": "Unverified high value, as data",
        "description": "Card payments of at least ¥5,000 with neither PIN nor signature "
        "(the built-in unverified_high_value).",
        "document": {
            "severity": "high",
            "action": "alert",
            "scope": {"type": "all"},
            "group_by": "report",
            "when": {
                "all": [
                    {"field": "method", "op": "in", "value": ["credit_card", "debit_card"]},
                    {"field": "amount", "op": "gte", "value": "5000"},
                    {"field": "type", "op": "in", "value": ["sale", "preauth_completion"]},
                    {"not": {"field": "cvm", "op": "in", "value": ["pin", "signature"]}},
                ]
            },
        },
    },
}


def examples_install() -> list[Rule]:
    """Write the example rules that do not exist yet, each as a first draft; returns the new."""
    made = []
    for code, example in EXAMPLES.items():
        if Rule.objects.filter(code=code).exists():
            continue
        made.append(
            rule_create(
                code=code,
                name=example["name"],
                description=example["description"],
                document=example["document"],
                reason="Shipped as an example of a built-in rule written as data.",
                actor=None,
            )
        )
    return made
