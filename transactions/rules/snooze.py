"""Snoozing a rule for one merchant, terminal or card, from an alert; ending a snooze early.

Reviewers snooze (``transactions.add_rulesnooze``) with an end and a reason; only compliance leads
(``transactions.end_rulesnooze``) end one before its time. A snooze applies where the rule's
findings become alerts, so it works alike for the built-in audit rules and the rules written as
data: ``alerts_from_findings`` marks a new alert with the snooze it falls under
(:func:`snoozes_matching`), which keeps it out of queues, counts, e-mails and webhooks; a review
or hold rule screened at report time treats a snoozed hit as a shadow one (recorded, not acted
on). A finding falls under a terminal or card snooze only when every one of its reports is on
that terminal or card: a finding that also involves others still fires. The screening checks'
own alerts (``realtime_*``) cannot be snoozed: they are raised at report time, outside this path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from transactions.models import Alert, AuditRule, Report, RuleSnooze, SnoozeTarget

MAX_DAYS = 90


class Finding(Protocol):
    """What a snooze reads of a finding (``alerts.findings.Finding``; the alerts call in here)."""

    merchant_id: int
    terminal_id: int | None
    report_ids: list[int]


def alert_card_token(alert: Alert) -> str:
    """The one card all of the alert's reports were paid with; empty when there is not one."""
    tokens = set(alert.reports.values_list("card_token", flat=True).distinct()[:2])
    return tokens.pop() if len(tokens) == 1 else ""


def snooze_targets(alert: Alert) -> list[str]:
    """What the alert's rule can be snoozed for from this alert."""
    targets = [SnoozeTarget.MERCHANT.value]
    if alert.terminal_id is not None:
        targets.append(SnoozeTarget.TERMINAL.value)
    if alert_card_token(alert):
        targets.append(SnoozeTarget.CARD.value)
    return targets


def snoozable(alert: Alert) -> bool:
    """A screening check's alert (raised at report time, no rule version) cannot be snoozed."""
    return not (alert.fingerprint.startswith("decision:") and alert.rule_version_id is None)


@transaction.atomic
def snooze_create(
    *, alert: Alert, target: str, ends_at: datetime, reason: str, actor: Any
) -> RuleSnooze:
    """Snooze ``alert``'s rule for its merchant, terminal or card until ``ends_at``, on record."""
    if not actor.has_perm("transactions.add_rulesnooze"):
        raise PermissionDenied(_("You are not allowed to do this."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why: it is shown on the rule's later findings.")]
    if ends_at <= now:
        errors["ends_at"] = [_("A snooze ends in the future.")]
    elif ends_at > now + timedelta(days=MAX_DAYS):
        errors["ends_at"] = [_("A snooze lasts %(days)s days at most.") % {"days": MAX_DAYS}]
    if not snoozable(alert):
        errors["target"] = [_("A screening check's alert cannot snooze its check.")]
    elif target not in snooze_targets(alert):
        errors["target"] = [_("This alert is not about one such terminal or card.")]
    if errors:
        raise ValidationError(errors)
    snooze = RuleSnooze(
        rule_id=alert.rule_id,
        alert=alert,
        target=target,
        merchant_id=alert.merchant_id,
        terminal_id=alert.terminal_id if target == SnoozeTarget.TERMINAL else None,
        card_token=alert_card_token(alert) if target == SnoozeTarget.CARD else "",
        starts_at=now,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=actor,
    )
    running = RuleSnooze.objects.running(now).filter(
        rule_id=snooze.rule_id,
        target=target,
        merchant_id=snooze.merchant_id,
        terminal_id=snooze.terminal_id,
        card_token=snooze.card_token,
    )
    if running.exists():
        raise ValidationError(
            {"target": [_("The rule is snoozed for this already; a lead can end that snooze.")]}
        )
    snooze._change_reason = reason.strip()  # type: ignore[attr-defined]
    snooze.save()
    return snooze


@transaction.atomic
def snooze_end(*, snooze: RuleSnooze, reason: str, actor: Any) -> RuleSnooze:
    """End a snooze before its time (compliance leads): the rule fires again from now."""
    if not actor.has_perm("transactions.end_rulesnooze"):
        raise PermissionDenied(_("Only a compliance lead can end a snooze."))
    snooze = RuleSnooze.objects.select_for_update().get(pk=snooze.pk)
    now = timezone.now()
    if not snooze.in_force(now):
        raise ValidationError(_("This snooze is over already."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the snooze ends early.")]})
    snooze.ended_at, snooze.ended_by, snooze.end_reason = now, actor, reason.strip()
    snooze._change_reason = reason.strip()  # type: ignore[attr-defined]
    snooze.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return snooze


@dataclass(frozen=True)
class _Facts:
    terminals: frozenset[int]
    cards: frozenset[str]


def snoozes_matching(
    *, rule: AuditRule, findings: Iterable[tuple[str, Finding]], at: datetime | None = None
) -> dict[str, RuleSnooze]:
    """The snooze each finding falls under (by key), for the findings of ``rule`` that do."""
    snoozes = list(RuleSnooze.objects.running(at or timezone.now()).filter(rule=rule))
    if not snoozes:
        return {}
    findings = list(findings)
    facts = _report_facts(
        [rid for _key, f in findings for rid in f.report_ids],
        wanted=any(s.target != SnoozeTarget.MERCHANT for s in snoozes),
    )
    found = {}
    for key, finding in findings:
        snooze = _matching(snoozes, finding, facts)
        if snooze is not None:
            found[key] = snooze
    return found


def _report_facts(report_ids: list[int], *, wanted: bool) -> dict[int, tuple[int, str]]:
    if not wanted or not report_ids:
        return {}
    return {
        pk: (terminal_id, card)
        for pk, terminal_id, card in Report.objects.filter(pk__in=report_ids).values_list(
            "pk", "terminal_id", "card_token"
        )
    }


def _matching(
    snoozes: Sequence[RuleSnooze], finding: Finding, facts: dict[int, tuple[int, str]]
) -> RuleSnooze | None:
    rows = [facts[rid] for rid in finding.report_ids if rid in facts]
    seen = _Facts(
        frozenset(t for t, _c in rows)
        or frozenset([finding.terminal_id] if finding.terminal_id else []),
        frozenset(c for _t, c in rows),
    )
    return _covering(snoozes, finding.merchant_id, seen)


def _covering(snoozes: Sequence[RuleSnooze], merchant_id: int, seen: _Facts) -> RuleSnooze | None:
    """The first snooze of the merchant that covers what was seen: the merchant, or the one
    terminal or card all of it was on."""
    for snooze in snoozes:
        if snooze.merchant_id != merchant_id:
            continue
        if snooze.target == SnoozeTarget.MERCHANT:
            return snooze
        if snooze.target == SnoozeTarget.TERMINAL and seen.terminals == {snooze.terminal_id}:
            return snooze
        if snooze.target == SnoozeTarget.CARD and seen.cards == {snooze.card_token}:
            return snooze
    return None


def snooze_for_report(
    snoozes: Sequence[RuleSnooze], *, rule_id: int, row: dict[str, Any]
) -> RuleSnooze | None:
    """The snooze a report screened at report time falls under for the rule ``rule_id``."""
    seen = _Facts(frozenset([row["terminal_id"]]), frozenset([row["card_token"]]))
    return _covering([s for s in snoozes if s.rule_id == rule_id], row["merchant_id"], seen)


def snoozes_of(alert: Alert) -> list[RuleSnooze]:
    """The snoozes of the alert's rule for its merchant, newest first: what a reviewer of a later
    finding wants to know (who quietened this rule here before, when and why)."""
    return list(
        RuleSnooze.objects.filter(rule_id=alert.rule_id, merchant_id=alert.merchant_id)
        .select_related("terminal", "merchant", "created_by", "ended_by", "rule")
        .order_by("-created_at")[:20]
    )


def snooze_state(snooze: RuleSnooze) -> str:
    """In force, over, or ended early (by whom, why), in the reader's language."""
    now = timezone.now()
    if snooze.ended_at is not None and snooze.ended_at <= now:
        return _("ended early by %(who)s: %(why)s") % {
            "who": snooze.ended_by or "—",
            "why": snooze.end_reason,
        }
    if snooze.in_force(now):
        return _("in force")
    return _("over")
