"""Every change is a new version with who, when, why and a diff; only leads put one live."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.common.statemachine import TransitionNotAllowed
from tests.transactions.rules.helpers import BIG_UNVERIFIED, lead, live, make_rule, reviewer
from transactions.models import AuditRule, RuleList, RuleVersionTransition, VersionStatus
from transactions.rules.services import rule_create, rule_revise, version_transition

pytestmark = pytest.mark.django_db


def test_a_reviewer_writes_a_rule_as_a_first_draft():
    author = reviewer()
    rule = make_rule(actor=author)
    version = rule.versions.get()
    assert (version.number, version.status, version.created_by) == (1, "draft", author)
    assert version.reason == "first draft"
    assert AuditRule.objects.get(code="data_big_unverified") == rule.audit_rule
    assert version.document["scope"] == {"type": "all"}  # defaults written out


def test_a_rule_that_cannot_compile_is_refused_before_saving():
    broken = copy.deepcopy(BIG_UNVERIFIED)
    broken["when"]["all"][0]["value"] = "a lot"
    with pytest.raises(ValidationError) as caught:
        make_rule(broken)
    assert caught.value.message_dict["document"] == [
        "$.when.all[0].value: Not a valid value for amount (¥) "
        '(a yuan amount with at most 2 decimals, e.g. "5000").'
    ]
    assert not AuditRule.objects.filter(code="data_big_unverified").exists()


def test_a_reference_to_a_missing_list_is_refused_before_saving():
    document = {**BIG_UNVERIFIED, "when": {"field": "tid", "op": "in_list", "list": "gone"}}
    with pytest.raises(ValidationError) as caught:
        make_rule(document)
    assert caught.value.message_dict["document"] == ["$.when.list: There is no list “gone”."]


def test_a_change_is_a_new_version_with_its_diff():
    rule = make_rule()
    changed = copy.deepcopy(BIG_UNVERIFIED)
    changed["when"]["all"][0]["value"] = "8000"
    version = rule_revise(rule=rule, document=changed, reason="fewer alerts", actor=reviewer())
    assert version.number == 2
    assert version.diff == [{"path": "$.when.all[0].value", "before": '"5000"', "after": '"8000"'}]


def test_an_unchanged_document_is_no_new_version():
    rule = make_rule()
    with pytest.raises(ValidationError):
        rule_revise(rule=rule, document=BIG_UNVERIFIED, reason="again", actor=reviewer())


def test_a_change_needs_a_reason():
    rule = make_rule()
    changed = {**BIG_UNVERIFIED, "severity": "low"}
    with pytest.raises(ValidationError) as caught:
        rule_revise(rule=rule, document=changed, reason=" ", actor=reviewer())
    assert "reason" in caught.value.message_dict


def test_a_reviewer_cannot_put_a_version_live():
    version = make_rule().versions.get()
    with pytest.raises(PermissionDenied):
        version_transition(version=version, name="activate", actor=reviewer(), reason="go")
    with pytest.raises(PermissionDenied):
        version_transition(version=version, name="shadow", actor=reviewer(), reason="go")


def test_a_lead_moves_a_version_through_shadow_to_active_on_record():
    rule = make_rule()
    version = live(rule, "shadow")
    version = live(rule, "activate", version)
    assert version.status == VersionStatus.ACTIVE
    steps = list(RuleVersionTransition.objects.filter(version=version).order_by("pk"))
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("draft", "shadow"),
        ("shadow", "active"),
    ]
    assert all(s.reason == "go" and s.actor.username == "rule-lead" for s in steps)


def test_activating_a_version_retires_the_active_one():
    rule = make_rule()
    first = live(rule)
    changed = {**BIG_UNVERIFIED, "severity": "medium"}
    second = rule_revise(rule=rule, document=changed, reason="calmer", actor=reviewer())
    live(rule, version=second)
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert "Replaced by version 2" in first.transitions.get(to_status="retired").reason
    rule.audit_rule.refresh_from_db()
    assert rule.audit_rule.severity == "medium"


def test_a_retired_version_cannot_come_back():
    rule = make_rule()
    version = version_transition(
        version=rule.versions.get(), name="retire", actor=lead(), reason="no"
    )
    with pytest.raises(TransitionNotAllowed):
        version_transition(version=version, name="activate", actor=lead(), reason="yes")


def test_a_version_whose_list_was_deleted_cannot_go_live():
    made = RuleList.objects.create(code="tids", name="t", kind="tid", purpose="block")
    document = {**BIG_UNVERIFIED, "when": {"field": "tid", "op": "in_list", "list": "tids"}}
    rule = make_rule(document)
    made.delete()
    with pytest.raises(TransitionNotAllowed) as caught:
        live(rule)
    assert "There is no list" in str(caught.value)


def test_a_second_rule_with_the_same_code_is_refused():
    make_rule()
    with pytest.raises(ValidationError) as caught:
        rule_create(
            code="big_unverified",
            name="again",
            description="",
            document=BIG_UNVERIFIED,
            reason="x",
            actor=reviewer(),
        )
    assert "code" in caught.value.message_dict
