"""Rules for the tests: written, versioned and moved through the real services."""

from __future__ import annotations

from typing import Any

from tests.factories import StaffFactory
from transactions.models import Rule, RuleVersion
from transactions.rules.services import rule_create, rule_revise, version_transition

BIG_UNVERIFIED = {
    "severity": "high",
    "action": "alert",
    "group_by": "report",
    "when": {
        "all": [
            {"field": "amount", "op": "gte", "value": "5000"},
            {"not": {"field": "cvm", "op": "in", "value": ["pin", "signature"]}},
        ]
    },
}


def lead() -> Any:
    return StaffFactory(username="rule-lead", groups=["compliance lead"])


def reviewer() -> Any:
    return StaffFactory(username="rule-reviewer", groups=["compliance reviewer"])


def make_rule(
    document: dict | None = None, *, code: str = "big_unverified", actor: Any = None
) -> Rule:
    return rule_create(
        code=code,
        name="Big unverified",
        description="",
        document=document or BIG_UNVERIFIED,
        reason="first draft",
        actor=actor or reviewer(),
    )


def live(rule: Rule, status: str = "activate", version: RuleVersion | None = None) -> RuleVersion:
    """Put the rule's latest (or the given) version in shadow ("shadow") or live ("activate")."""
    version = version or rule.versions.order_by("-number").first()
    return version_transition(version=version, name=status, actor=lead(), reason="go")


__all__ = ["BIG_UNVERIFIED", "builder_post", "lead", "live", "make_rule", "reviewer", "rule_revise"]


def builder_post(document: dict, **extra: Any) -> dict[str, Any]:
    """The rule form's POST for ``document``, as the form builder posts it (rows and groups)."""
    from transactions.rules import builder

    document = {"scope": {"type": "all"}, "group_by": "merchant_day", **document}
    scope = document["scope"]
    data: dict[str, Any] = {
        "code": "big",
        "name": "Big",
        "description": "",
        "severity": document["severity"],
        "action": document["action"],
        "group_by": document["group_by"],
        "scope_type": scope["type"],
        "scope_values": ", ".join(scope.get("mccs", scope.get("mids", []))),
        "scope_list": scope.get("list", ""),
        "reason": "new scheme",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    for node in builder.from_document(document["when"]).walk():
        data[f"when:{node.id}:kind"] = node.kind
        if node.negate:
            data[f"when:{node.id}:negate"] = "1"
        for attr, value in node.attrs.items():
            data[f"when:{node.id}:{attr}"] = value
    return data | extra
