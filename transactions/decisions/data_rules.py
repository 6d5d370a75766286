"""Data rules at report time: review and hold rules screened on each API report, in Python.

The decision service (``services.py``) asks :func:`rules_screen` for every
report it screens; each live review / hold version is evaluated with the same compiled logic the
audit runs as SQL (the aggregates read the reports already written in this transaction). A shadow
version's hit is recorded on the decision and never acted on, as a shadow check's is; so is the
hit of a rule snoozed for the report's merchant, terminal or card (``rules/snooze.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from transactions.models import LIVE_STATUSES, RuleAction, RuleSnooze, RuleVersion
from transactions.rules.compiler import Compiled, CompileError, compile_document
from transactions.rules.fields import report_rows
from transactions.rules.snooze import snooze_for_report

CODE_PREFIX = "rule:"
MESSAGE = gettext_noop("Rule “%(rule)s” (version %(version)s) matched: %(conditions)s.")


@dataclass(frozen=True)
class RuleHit:
    """One live version's verdict on one report."""

    code: str  # "rule:<code>"
    version: RuleVersion
    hit: bool
    figures: dict[str, str]
    explain: list[dict[str, Any]]
    snooze_id: int | None = None  # a hit the rule is snoozed for: recorded, not acted on


def screening_versions() -> list[tuple[RuleVersion, Compiled | None]]:
    """The live review and hold versions, compiled (None: it no longer compiles)."""
    found = []
    for version in (
        RuleVersion.objects.filter(
            status__in=LIVE_STATUSES,
            action__in=[RuleAction.REVIEW, RuleAction.HOLD],
            rule__audit_rule__enabled=True,
        )
        .select_related("rule__audit_rule")
        .order_by("rule__code", "number")
    ):
        try:
            found.append((version, compile_document(version.document)))
        except CompileError:
            found.append((version, None))
    return found


def conditions_text(explain: list[dict[str, Any]]) -> str:
    """The conditions and their values, in codes every language reads: ``amount gte 5000 → 7000``."""
    parts = []
    for leaf in explain:
        span = f"{leaf['seconds']}s" if leaf.get("seconds") else "day"
        what = leaf.get("field") or f"{leaf['aggregate']}/{leaf['per']}/{span}"
        operand = leaf["operand"]
        operand = ",".join(operand) if isinstance(operand, list) else operand
        parts.append(f"{what} {leaf['op']} {operand} → {leaf['value']}")
    return "; ".join(parts)


def rules_screen(
    *, report_pks: list[int], versions: list[tuple[RuleVersion, Compiled | None]]
) -> dict[int, list[RuleHit]]:
    """Each report's verdict from each version; raises ``CompileError`` for a broken one, which
    the decision records as a failed check."""
    if not versions:
        return {}
    verdicts: dict[int, list[RuleHit]] = {}
    snoozes = list(
        RuleSnooze.objects.running(timezone.now()).filter(
            rule_id__in={version.rule.audit_rule_id for version, _c in versions}
        )
    )
    for row in report_rows(report_pks):
        hits = []
        for version, compiled in versions:
            code = f"{CODE_PREFIX}{version.rule.code}"
            if compiled is None:
                hits.append(RuleHit(code, version, False, {}, []))
                continue
            matched = compiled.matches(row)
            explain = compiled.explain_row(row) if matched else []
            figures = {
                "rule": version.rule.name,
                "version": str(version.number),
                "conditions": conditions_text(explain),
            }
            snooze = (
                snooze_for_report(snoozes, rule_id=version.rule.audit_rule_id, row=row)
                if matched
                else None
            )
            hits.append(
                RuleHit(
                    code,
                    version,
                    matched,
                    figures if matched else {},
                    explain,
                    snooze_id=snooze.pk if snooze else None,
                )
            )
        verdicts[row["id"]] = hits
    return verdicts
