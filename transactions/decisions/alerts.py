"""Reviews and holds decided at report time, into the review queues: one alert per check, outcome
and terminal while it is open, and a hold on each held report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from transactions.decisions.base import Decided
from transactions.decisions.checks import REGISTRY
from transactions.decisions.data_rules import CODE_PREFIX
from transactions.models import (
    Alert,
    AlertReport,
    AuditRule,
    DecisionOutcome,
    Hold,
    RuleVersion,
    Severity,
)
from transactions.rules.grouping import merged_explain

FAILED_NAME = gettext_noop("Screening check failed")
# Alerts of decisions are filed under audit rules of their own, one per check.
RULE_PREFIX = "realtime_"


def alerts_raise(decisions: list[Decided], terminal_id: int) -> tuple[list[int], list[Hold]]:
    """Reviews and holds go into the review queues at once; a hold also holds its report.

    One alert per check, outcome and terminal that is still open: the same check firing again
    (a card milked all afternoon) adds its report to that alert instead of flooding the queue.
    Returns the ids of the alerts opened and the holds placed (for the webhooks' events).
    """
    opened: list[int] = []
    placed: list[Hold] = []
    groups: dict[tuple[str, str], list[Decided]] = {}
    for decision in decisions:
        groups.setdefault((decision.reasons[0]["code"], decision.outcome), []).append(decision)
    for (code, outcome), group in groups.items():
        alert, created = _open_alert(code, outcome, terminal_id, first=group[0], group=group)
        if created:
            opened.append(alert.pk)
        AlertReport.objects.bulk_create(
            [AlertReport(alert=alert, report_id=d.report_id) for d in group]
        )
        Alert.objects.filter(pk=alert.pk).update(report_count=F("report_count") + len(group))
        for decision in group:
            decision.alert_id = alert.pk
        if outcome == DecisionOutcome.HOLD:
            holds = [
                Hold(
                    alert=alert,
                    report_id=d.report_id,
                    reason=f"Held at report time (decision {d.decision_id}): {english(d)}",
                )
                for d in group
            ]
            placed += bulk_create_with_history(holds, Hold)
    return opened, placed


def _open_alert(
    code: str, outcome: str, terminal_id: int, *, first: Decided, group: list[Decided]
) -> tuple[Alert, bool]:
    reason = first.reasons[0]
    version = None
    if code.startswith(CODE_PREFIX):
        version = RuleVersion.objects.select_related("rule__audit_rule").get(
            pk=reason["version_id"]
        )
        rule, severity = version.rule.audit_rule, version.severity
    else:
        rule = check_rule(code)
        severity = Severity.HIGH if outcome == DecisionOutcome.HOLD else Severity.MEDIUM
    explain = _explain(version, group)
    alert = (
        Alert.objects.unresolved()
        .filter(rule=rule, terminal_id=terminal_id, severity=severity)
        .order_by("-created_at")
        .first()
    )
    if alert is not None:
        if explain:
            alert.explain = merged_explain(alert.explain, explain)
            alert.save(update_fields=["explain"])
        return alert, False
    alert = Alert.objects.create(
        rule_version=version,
        explain=explain,
        rule=rule,
        merchant_id=first.merchant_id,
        terminal_id=terminal_id,
        fingerprint=f"decision:{first.decision_id}",
        severity=severity,
        explanation=english(first),
        explanation_message=reason["message"],
        explanation_params=reason["figures"],
        report_count=0,
        due_at=timezone.now() + timedelta(days=1 if outcome == DecisionOutcome.HOLD else 2),
    )
    return alert, True


def _explain(version: RuleVersion | None, group: list[Decided]) -> dict[str, Any]:
    """A data rule's explain data for the alert: the version, each report's conditions."""
    if version is None:
        return {}
    return {
        "rule": version.rule.code,
        "version": version.number,
        "version_id": version.pk,
        "reports": {str(d.report_id): d.reasons[0].get("explain", []) for d in group},
    }


def english(decision: Decided) -> str:
    return " ".join(r["message"] % r["figures"] for r in decision.reasons)


def check_rule(code: str) -> AuditRule:
    """The alert's rule: one per screening check (``realtime_<code>``), named like the check."""
    spec = REGISTRY.get(code)
    rule, _created = AuditRule.objects.get_or_create(
        code=f"{RULE_PREFIX}{code}",
        defaults={
            "name": spec.name if spec else FAILED_NAME,
            "description": spec.description if spec else "A screening check that could not run.",
            "severity": Severity.HIGH,
        },
    )
    return rule
