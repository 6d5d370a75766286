"""Writing rules: create, revise (each change a new version with its diff), move a version.

Every document is compiled before anything is saved: a rule that cannot compile, reads a window
without a time bound or names a missing list is refused with field errors at JSON paths.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from transactions.models import (
    DATA_RULE_PREFIX,
    AuditRule,
    Rule,
    RuleVersion,
    VersionStatus,
)
from transactions.rules.compiler import Compiled, CompileError, compile_document
from transactions.rules.diff import document_diff
from transactions.rules.workflow import VERSION


def document_compiled(*, document: Any) -> Compiled:
    """``document`` compiled, or a ``ValidationError`` on ``document`` listing each field error."""
    try:
        return compile_document(document)
    except CompileError as exc:
        raise ValidationError({"document": [str(error) for error in exc.errors]}) from exc


def _need(actor: Any, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You are not allowed to do this."))


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why: it is kept with the version.")]})
    return reason.strip()


@transaction.atomic
def rule_create(
    *, code: str, name: str, description: str, document: Any, reason: str, actor: Any
) -> Rule:
    """A new rule with its first version, a draft; its alerts will be filed under ``data_<code>``.

    ``actor`` None is the system (the example rules' command), which needs no permission.
    """
    if actor is not None:
        _need(actor, "transactions.add_rule")
    compiled = document_compiled(document=document)
    why = _reason(reason)
    audit_code = f"{DATA_RULE_PREFIX}{code}"
    if (
        Rule.objects.filter(code=code).exists()
        or AuditRule.objects.filter(code=audit_code).exists()
    ):
        raise ValidationError({"code": [_("A rule with this code exists already.")]})
    audit_rule = AuditRule.objects.create(
        code=audit_code,
        name=name,
        description=description,
        severity=compiled.severity,
        parameters={},
    )
    rule = Rule(code=code, name=name, description=description, audit_rule=audit_rule)
    rule.created_by = actor
    rule.full_clean(exclude=["audit_rule", "created_by"])
    rule.save()
    _version(rule, compiled, why, actor, previous=None)
    return rule


@transaction.atomic
def rule_revise(*, rule: Rule, document: Any, reason: str, actor: Any) -> RuleVersion:
    """A new draft version of ``rule``; the live versions keep running until a lead moves it."""
    _need(actor, "transactions.add_ruleversion")
    compiled = document_compiled(document=document)
    why = _reason(reason)
    Rule.objects.select_for_update().get(pk=rule.pk)  # one new number at a time
    latest = rule.versions.order_by("-number").first()
    if latest is not None and latest.document == compiled.document:
        raise ValidationError(
            {"document": [_("Nothing changed from version %(n)s.") % {"n": latest.number}]}
        )
    return _version(rule, compiled, why, actor, previous=latest)


def _version(
    rule: Rule, compiled: Compiled, reason: str, actor: Any, *, previous: RuleVersion | None
) -> RuleVersion:
    number = (rule.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return RuleVersion.objects.create(
        rule=rule,
        number=number,
        document=compiled.document,
        severity=compiled.severity,
        action=compiled.action,
        reason=reason,
        diff=document_diff(previous.document if previous else None, compiled.document),
        created_by=actor,
    )


@transaction.atomic
def version_transition(
    *, version: RuleVersion, name: str, actor: Any, reason: str = ""
) -> RuleVersion:
    """Move ``version`` (shadow, activate, retire), recorded; the version it replaces retires.

    A rule has at most one active and one shadow version: activating retires the active one,
    putting in shadow retires the shadow one, each step on record with the reason.
    """
    VERSION.check(version, name, actor=actor, reason=reason)
    target = VERSION[name].target
    if target in (VersionStatus.ACTIVE, VersionStatus.SHADOW):
        replaced = RuleVersion.objects.filter(rule_id=version.rule_id, status=target).exclude(
            pk=version.pk
        )
        for old in replaced:
            VERSION.step(
                old,
                "retire",
                actor=actor,
                reason=_("Replaced by version %(n)s: %(reason)s")
                % {"n": version.number, "reason": reason},
            )
    version = VERSION.step(version, name, actor=actor, reason=reason)
    AuditRule.objects.filter(pk=version.rule.audit_rule_id).update(severity=version.severity)
    return version
