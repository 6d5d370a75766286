"""Data rules in the scheduled audit: each rule with a live version is one more rule of the run.

The runner (``transactions/audit/runner.py``) lists them beside the built-ins and, for each part,
calls :func:`data_rule_audit`: the live versions of the rule run over the part's reports received
in the run's window, their findings raised through the same alert path as the built-ins' (keyed
by fingerprint, so a repeated part raises nothing twice). A shadow version's alerts are marked
shadow and stay out of the queues.

A review or hold rule also runs at report time (``decisions``): the audit leaves out the reports
that decision already put in an alert of the rule, so one sale is not raised twice; it still sees
every report the screening did not flag (batch files, manual entry, a version made live later).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.alerts.services import alerts_from_findings
from transactions.models import (
    LIVE_STATUSES,
    AlertReport,
    AuditRun,
    Report,
    RuleAction,
    RuleVersion,
)
from transactions.rules.compiler import Compiled, CompileError, compile_document
from transactions.rules.grouping import explain_of, group_key, local_day, matched_rows

log = logging.getLogger(__name__)

MESSAGE = gettext_noop(
    "Rule “%(rule)s” (version %(version)s) matched %(count)s report(s) on %(day)s."
)


def live_versions() -> list[RuleVersion]:
    """The versions that run now: each rule's active one and its shadow one."""
    return list(
        RuleVersion.objects.filter(status__in=LIVE_STATUSES)
        .select_related("rule__audit_rule")
        .order_by("rule__code", "number")
    )


def data_rule_codes() -> list[str]:
    """The audit codes (``data_<code>``) of the rules with a live version."""
    return sorted({v.rule.audit_rule.code for v in live_versions() if v.rule.audit_rule.enabled})


def shadow_prefix(version: RuleVersion) -> str:
    return f"shadow-v{version.number}:" if version.is_shadow else ""


def data_rule_audit(
    *,
    audit_code: str,
    run: AuditRun,
    window_start: datetime,
    window_end: datetime,
    merchant_ids: tuple[int, ...],
) -> tuple[dict[str, int], int, int]:
    """Run the rule's live versions over the part: findings by version label, alerts created
    and updated."""
    counts: dict[str, int] = {}
    created = updated = 0
    for version in live_versions():
        if version.rule.audit_rule.code != audit_code:
            continue
        label = f"{audit_code}:shadow" if version.is_shadow else audit_code
        try:
            compiled = compile_document(version.document)
        except CompileError as exc:
            # A list it names was deleted since it went live: the rest of the audit runs.
            log.error("Rule %s v%s no longer compiles: %s", audit_code, version.number, exc)
            counts[f"{label}:broken"] = 1
            continue
        reports = Report.objects.filter(
            received_at__gt=window_start,
            received_at__lte=window_end,
            merchant_id__in=merchant_ids,
        )
        if version.action != RuleAction.ALERT:
            screened = AlertReport.objects.filter(
                report_id=OuterRef("pk"),
                alert__rule_id=version.rule.audit_rule_id,
                alert__shadow=version.is_shadow,
                alert__fingerprint__startswith="decision:",
            )
            reports = reports.filter(~Exists(screened))
        findings = findings_of(
            version=version,
            compiled=compiled,
            rows=matched_rows(compiled, reports),
            prefix=shadow_prefix(version),
        )
        counts[label] = len(findings)
        new, known = alerts_from_findings(
            rule=version.rule.audit_rule,
            findings=findings,
            run=run,
            rule_version=version,
            shadow=version.is_shadow,
        )
        created, updated = created + new, updated + known
    return counts, created, updated


def findings_of(
    *, version: RuleVersion, compiled: Compiled, rows: Iterable[dict[str, Any]], prefix: str = ""
) -> list[Finding]:
    """One finding per group of matching reports, with the version and why each report matched."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(group_key(compiled.group_by, row), []).append(row)
    findings = []
    for key, group in groups.items():
        group.sort(key=lambda r: (r["occurred_at"], r["id"]))
        first = group[0]
        terminals = {r["terminal_id"] for r in group}
        findings.append(
            Finding(
                key=f"{prefix}{key}",
                merchant_id=first["merchant_id"],
                terminal_id=terminals.pop() if len(terminals) == 1 else None,
                report_ids=[r["id"] for r in group],
                message=MESSAGE,
                params={
                    "rule": version.rule.name,
                    "version": version.number,
                    "count": len(group),
                    "day": local_day(first).isoformat(),
                },
                explain=explain_of(version, compiled, group),
            )
        )
    return findings
