"""Differences that deserve a reviewer become alerts in the audits' review workflow.

Three rules, ``recon_missing_report`` (settled but never reported), ``recon_amount_mismatch`` and
``recon_merchant_not_in_file`` (a merchant with reports on one of the file's days and no line).
They are AuditRule rows (severity and on/off editable in admin like any rule) created here with
get_or_create, but not RuleSpec modules in the audit REGISTRY: a RuleSpec finds things in a
window of received reports, while these come from a settlement file, so the audit runner must not
run them. Fingerprinted by file and line (by file, merchant and day for a merchant not in the
file): reconciling a file again raises nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.utils.translation import gettext_noop

from transactions.alerts.findings import Finding
from transactions.alerts.services import alerts_from_findings, rule_ensure
from transactions.audit.base import money
from transactions.models import AuditRule, Outcome, ReconciliationItem, ReconciliationRun, Severity

CHUNK = 2000
RULES = {
    Outcome.SETTLED_NOT_REPORTED: (
        "recon_missing_report",
        gettext_noop("Settled but not reported"),
        gettext_noop("The acquirer settled a transaction that the merchant never reported."),
        Severity.HIGH,
    ),
    Outcome.AMOUNT_MISMATCH: (
        "recon_amount_mismatch",
        gettext_noop("Settled amount differs from the report"),
        gettext_noop("The acquirer settled another amount than the merchant reported."),
        Severity.MEDIUM,
    ),
    Outcome.MERCHANT_NOT_IN_FILE: (
        "recon_merchant_not_in_file",
        gettext_noop("Merchant not in the settlement file"),
        gettext_noop(
            "The merchant reported transactions on a day of the acquirer's settlement file, and "
            "the file has no line of the merchant: they were not settled."
        ),
        Severity.HIGH,
    ),
}


def recon_rule(kind: str) -> AuditRule:
    code, name, description, severity = RULES[kind]
    return rule_ensure(code, name=name, description=description, severity=severity)


ITEM_FIELDS = (
    "kind", "merchant_id", "day", "line_no", "tid", "rrn", "settled_amount", "reported_amount",
    "report_id", "line__terminal_id",
)  # fmt: skip


def recon_alerts(*, run: ReconciliationRun) -> int:
    """Raise the run's alerts; returns how many are new."""
    created = 0
    file_name = run.file.original_name
    for kind in RULES:
        rule = recon_rule(kind)
        if not rule.enabled:
            continue
        # Plain rows, not model instances: a large file has tens of thousands of differences.
        items = (
            ReconciliationItem.objects.filter(run=run, kind=kind, merchant__isnull=False)
            .order_by("pk")
            .values(*ITEM_FIELDS)
        )
        findings = (
            _finding(run.file_id, file_name, item) for item in items.iterator(chunk_size=CHUNK)
        )
        for chunk in _chunks(findings):
            created += alerts_from_findings(rule=rule, findings=chunk, run=None)[0]
    return created


def _finding(file_id: int, file_name: str, item: dict[str, Any]) -> Finding:
    # A message and its values, like the audit rules' findings: each reader gets their language.
    if item["kind"] == Outcome.MERCHANT_NOT_IN_FILE:
        return _not_in_file(file_id, file_name, item)
    params = {
        "file": file_name,
        "line": item["line_no"],
        "tid": item["tid"],
        "rrn": item["rrn"] or "—",
    }
    if item["kind"] == Outcome.AMOUNT_MISMATCH:
        message = gettext_noop(
            "Settlement file %(file)s line %(line)s: TID %(tid)s RRN %(rrn)s settled %(settled)s, "
            "reported %(reported)s."
        )
        params |= {
            "settled": money(item["settled_amount"]),
            "reported": money(item["reported_amount"]),
        }
    else:
        message = gettext_noop(
            "Settlement file %(file)s line %(line)s: TID %(tid)s RRN %(rrn)s, %(amount)s on "
            "%(day)s was settled but never reported."
        )
        params |= {"amount": money(item["settled_amount"]), "day": item["day"].isoformat()}
    return Finding(
        key=f"file{file_id}:line{item['line_no']}",
        merchant_id=item["merchant_id"],
        message=message,
        params=params,
        report_ids=[item["report_id"]] if item["report_id"] else [],
        terminal_id=item["line__terminal_id"],
    )


def _not_in_file(file_id: int, file_name: str, item: dict[str, Any]) -> Finding:
    return Finding(
        key=f"file{file_id}:merchant{item['merchant_id']}:{item['day'].isoformat()}",
        merchant_id=item["merchant_id"],
        message=gettext_noop(
            "Settlement file %(file)s has no line of the merchant for %(day)s, although it "
            "reported %(amount)s that day: not settled."
        ),
        params={
            "file": file_name,
            "day": item["day"].isoformat(),
            "amount": money(item["reported_amount"] or 0),
        },
        report_ids=[],
        terminal_id=None,
    )


def _chunks(findings: Iterator[Finding]) -> Iterator[list[Finding]]:
    iterator = iter(findings)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk
