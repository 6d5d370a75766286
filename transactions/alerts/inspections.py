"""Overdue inspections become alerts in the review queue, and their inspector (or the leads) is
e-mailed, once each.

Inspections are a ``merchants`` feature and ``merchants`` never imports ``transactions``, so the
alert is raised from this side: a daily beat task reads the overdue inspections through the
merchants' selector and turns each into a finding of the rule ``inspection_overdue`` (an AuditRule
row, severity and on/off editable in admin, created here like the reconciliation's rules; not a
RuleSpec, since it reads no reports). Fingerprinted by inspection and due date: running again
raises nothing twice, and a photo request asked again (a new due date) that falls overdue again
is a new alert.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from merchants.models import Inspection, InspectionKind
from merchants.risk.inspections import mail
from merchants.risk.inspections.selectors import overdue_inspections
from transactions.alerts.findings import Finding
from transactions.alerts.services import alerts_from_findings, rule_ensure
from transactions.models import Alert, AuditRule, Severity

RULE = "inspection_overdue"
NAME = gettext_noop("Inspection overdue")
DESCRIPTION = gettext_noop(
    "An on-site inspection or a photo request of the merchant is past its due date: the acquiring "
    "rules want every merchant inspected at least once a year."
)
MESSAGES = {
    InspectionKind.ON_SITE: gettext_noop(
        "On-site inspection #%(number)s was due on %(due)s and is not done."
    ),
    InspectionKind.PHOTOS: gettext_noop(
        "The photos of the business asked for by request #%(number)s were due on %(due)s and "
        "are not handed in."
    ),
}


def inspection_rule() -> AuditRule:
    return rule_ensure(RULE, name=NAME, description=DESCRIPTION, severity=Severity.MEDIUM)


def _finding(inspection: Inspection) -> Finding:
    return Finding(
        key=f"inspection{inspection.pk}:{inspection.due_on.isoformat()}",
        merchant_id=inspection.merchant_id,
        message=MESSAGES[InspectionKind(inspection.kind)],
        params={"number": inspection.pk, "due": inspection.due_on.isoformat()},
    )


def inspection_alerts(*, today: date | None = None) -> int:
    """Raise an alert per overdue inspection not alerted yet; returns how many are new.

    The inspector (or, for those nobody is assigned to, the leads) is e-mailed about the new ones
    once the alerts are committed.
    """
    rule = inspection_rule()
    if not rule.enabled:
        return 0
    today = today or timezone.localdate()
    with transaction.atomic():
        overdue = list(overdue_inspections(today=today))
        findings = {f"{RULE}:{f.key}": (f, i) for i in overdue for f in [_finding(i)]}
        known = set(
            Alert.objects.filter(fingerprint__in=findings).values_list("fingerprint", flat=True)
        )
        created, _updated = alerts_from_findings(
            rule=rule, findings=[f for f, _i in findings.values()], run=None
        )
        new = [i for fp, (_f, i) in findings.items() if fp not in known]
        if new:
            transaction.on_commit(lambda: mail.overdue(new), robust=True)
    return created
