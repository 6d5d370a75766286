"""Alerts: raised from audit findings, moved through review, answered by the merchant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.accounts.groups import staff_holding
from merchants.risk.rating.services import rating_requested
from portal.common import events
from portal.common.database import update_rows
from portal.common.statemachine import Transition, TransitionNotAllowed
from portal.common.validators import validate_document
from transactions.alerts import notifications
from transactions.alerts.findings import Finding
from transactions.alerts.workflow import ALERT
from transactions.models import (
    SEVERITY_RANK,
    Alert,
    AlertReport,
    AlertResponse,
    AlertStatus,
    AuditRule,
    AuditRun,
    RuleVersion,
    Severity,
)
from transactions.models.event_data import alert_data, alerts_described
from transactions.rules.grouping import merged_explain
from transactions.rules.snooze import snoozes_matching

# How long a reviewer has, by severity.
REVIEW_DAYS: dict[str, int] = {
    Severity.CRITICAL: 1,
    Severity.HIGH: 2,
    Severity.MEDIUM: 5,
    Severity.LOW: 10,
}


def rule_ensure(code: str, *, name: str, description: str, severity: str) -> AuditRule:
    """The row of a rule whose alerts are raised outside the scheduled audit (reconciliation,
    screening, inspections, the risk list), created with these values the first time."""
    rule, _created = AuditRule.objects.get_or_create(
        code=code,
        defaults={"name": str(name), "description": str(description), "severity": severity},
    )
    return rule


def alerts_from_findings(
    *,
    rule: AuditRule,
    findings: Sequence[Finding],
    run: AuditRun | None,
    rule_version: RuleVersion | None = None,
    shadow: bool = False,
) -> tuple[int, int]:
    """Raise an alert per new finding and attach reports to known ones; returns (created, updated).

    Keyed by fingerprint, so running the same audit again creates nothing twice. An alert that
    ``run`` itself raised counts as created even when a crashed attempt of the same part wrote
    it: it is new to whoever reads the run. Nobody is notified here; the run tells staff once,
    when it finishes (``alerts_notify_run``). A rule written as data passes the version that
    found them, and ``shadow`` for a version in shadow: those alerts stay out of the queues, as
    do the new ones the rule is snoozed for (``transactions/rules/snooze.py``).
    """
    if not findings:
        return 0, 0
    by_fingerprint = {f"{rule.code}:{f.key}": f for f in findings}
    now = timezone.now()
    with transaction.atomic():
        known = set(
            Alert.objects.filter(fingerprint__in=by_fingerprint).values_list(
                "fingerprint", flat=True
            )
        )
        # A new finding the rule is snoozed for is raised all the same, marked, out of queues.
        snoozed = snoozes_matching(
            rule=rule,
            findings=((fp, f) for fp, f in by_fingerprint.items() if fp not in known),
            at=now,
        )
        new = [
            Alert(
                rule=rule,
                merchant_id=f.merchant_id,
                terminal_id=f.terminal_id,
                fingerprint=fp,
                severity=rule.severity,
                explanation=f.explanation,
                explanation_message=f.message,
                explanation_params=f.params,
                report_count=len(set(f.report_ids)),
                run=run,
                due_at=now + timedelta(days=REVIEW_DAYS[rule.severity]),
                rule_version=rule_version,
                explain=f.explain,
                shadow=shadow,
                snooze=snoozed.get(fp),
            )
            for fp, f in by_fingerprint.items()
            if fp not in known
        ]
        Alert.objects.bulk_create(new, ignore_conflicts=True)
        raised = {
            fp: (pk, run_id)
            for fp, pk, run_id in Alert.objects.filter(fingerprint__in=by_fingerprint).values_list(
                "fingerprint", "id", "run_id"
            )
        }
        links = [
            AlertReport(alert_id=raised[fp][0], report_id=rid)
            for fp, f in by_fingerprint.items()
            for rid in f.report_ids
        ]
        AlertReport.objects.bulk_create(links, ignore_conflicts=True, batch_size=2000)
        # New alerts were created with their count; only known ones gained reports (a bulk
        # update of thousands of new alerts cost seconds on a first run over a month).
        _refresh({fp: raised[fp][0] for fp in known if fp in raised}, by_fingerprint, known)
        if not shadow:  # a shadow version's alerts are for staff watching it, not for webhooks
            alerts_opened(
                ids=[
                    pk for fp, (pk, _run) in raised.items() if fp not in known and fp not in snoozed
                ]
            )
    if run is None:
        created = len(raised.keys() - known)
    else:
        created = sum(1 for _pk, run_id in raised.values() if run_id == run.pk)
    return created, len(raised) - created


def alerts_opened(*, ids: list[int]) -> None:
    """Tell webhooks about new alerts (``alert.opened``), in the transaction that raised them."""
    if ids and events.event_wanted(events.ALERT_OPENED):
        events.events_record(event_type=events.ALERT_OPENED, events=alerts_described(ids))


def alerts_notify_run(*, run: AuditRun) -> None:
    """Once the run is committed, e-mail staff one list of the high and critical alerts it raised.

    Called when the run finishes, so a run of many rules and parts makes one e-mail. On commit and
    robust: a mail server that is down must neither fail the run nor undo its alerts.
    """
    serious = [s for s, rank in SEVERITY_RANK.items() if rank >= SEVERITY_RANK[Severity.HIGH]]
    alerts = (
        Alert.objects.live()
        .filter(run=run, severity__in=serious)
        .select_related("merchant", "rule")
        .order_by("pk")
    )
    transaction.on_commit(lambda: notifications.new_serious_alerts(list(alerts)), robust=True)


def _refresh(ids: dict[str, int], findings: dict[str, Finding], known: set[str]) -> None:
    if not ids:
        return
    counts = dict(
        AlertReport.objects.filter(alert_id__in=ids.values())
        .values("alert_id")
        .annotate(n=Count("id"))
        .values_list("alert_id", "n")
    )
    alerts = list(
        Alert.objects.filter(id__in=ids.values()).only(
            "id",
            "fingerprint",
            "status",
            "explanation",
            "explanation_message",
            "explanation_params",
            "explain",
            "report_count",
        )
    )
    fields = ["report_count", "explanation", "explanation_message", "explanation_params", "explain"]
    changed = []
    for alert in alerts:
        before = [getattr(alert, field) for field in fields]
        alert.report_count = counts.get(alert.id, 0)
        if alert.fingerprint in known and not alert.is_resolved:
            finding = findings[alert.fingerprint]
            alert.explanation = finding.explanation
            alert.explanation_message = finding.message
            alert.explanation_params = finding.params
            alert.explain = merged_explain(alert.explain, finding.explain)
        if [getattr(alert, field) for field in fields] != before:
            changed.append(alert)
    # Only what changed: running a large file or an audit again finds the same alerts, and a
    # bulk update of 20,000 unchanged alerts took 13 s on the reconciliation benchmark.
    update_rows(changed, fields)


@transaction.atomic
def alert_transition(*, alert: Alert, name: str, actor: Any, reason: str = "") -> Alert:
    """Take transition ``name`` and record who, when and why; ``take`` assigns the actor."""

    def prepare(alert: Alert, step: Transition) -> None:
        if step.name == "take" and alert.assignee_id is None:
            alert.assignee = actor

    alert = ALERT.step(alert, name, actor=actor, reason=reason, prepare=prepare)
    if alert.status == AlertStatus.CONFIRMED:
        # A confirmed alert is a factor of the merchant's risk rating: rate it again.
        rating_requested(merchant_id=alert.merchant_id, trigger=f"alert {alert.pk} confirmed")
    if name == "ask_merchant":
        transaction.on_commit(lambda: notifications.merchant_asked(alert, reason), robust=True)
        events.event_record(
            event_type=events.ALERT_ASKED,
            merchant_id=alert.merchant_id,
            data=alert_data(alert) | {"question": reason},
        )
    elif alert.is_resolved:
        events.event_record(
            event_type=events.ALERT_RESOLVED, merchant_id=alert.merchant_id, data=alert_data(alert)
        )
    return alert


@transaction.atomic
def alerts_assign(*, alerts: Iterable[Alert], assignee: Any, actor: Any) -> int:
    """Assign alerts to a reviewer; open ones are taken into review on the way."""
    if not actor.has_perm("transactions.review_alert") or not assignee.has_perm(
        "transactions.review_alert"
    ):
        raise PermissionDenied(_("Alerts can only be assigned by and to reviewers."))
    count = 0
    for alert in Alert.objects.select_for_update().filter(pk__in=[a.pk for a in alerts]):
        if alert.is_resolved:
            continue
        alert.assignee = assignee
        alert._change_reason = f"assigned to {assignee}"
        alert.save(update_fields=["assignee"])
        if alert.status == AlertStatus.OPEN:
            alert_transition(
                alert=alert,
                name="take",
                actor=actor,
                reason=_("Assigned to %(user)s") % {"user": assignee},
            )
        count += 1
    return count


@transaction.atomic
def alert_answer(
    *, alert: Alert, actor: Any, text: str, attachment: UploadedFile | None = None
) -> AlertResponse:
    """The merchant answers, with evidence if it has any; the alert goes back to its reviewer."""
    if not text.strip():
        raise TransitionNotAllowed(_("Write your answer."), code="empty")
    if attachment is not None:
        validate_document(attachment)
    alert = alert_transition(alert=alert, name="merchant_answer", actor=actor)
    response = AlertResponse(alert=alert, author=actor, text=text.strip())
    if attachment is not None:
        response.attachment_name = (attachment.name or "evidence")[:255]
        response.attachment.save(attachment.name or "evidence", attachment, save=False)
    response.save()
    transaction.on_commit(lambda: notifications.merchant_answered(alert), robust=True)
    return response


def reviewers() -> Any:
    """Who an alert may be assigned to: staff who may review alerts, however they hold it."""
    return staff_holding("review_alert").distinct()
