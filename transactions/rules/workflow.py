"""A rule version's life: draft → shadow → active → retired, and who may move it.

Reviewers write drafts (a new version is a draft); only compliance leads
(``go_live_ruleversion``) put a version in shadow or live, or retire one. A version that no
longer compiles (a list it names was deleted) cannot go live.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.common.statemachine import StateMachine, Transition
from transactions.models import RuleVersion, RuleVersionTransition
from transactions.models import VersionStatus as S
from transactions.rules.compiler import CompileError, compile_document

GO_LIVE = "transactions.go_live_ruleversion"


def compiles(version: RuleVersion, actor: Any) -> bool | str:
    try:
        compile_document(version.document)
    except CompileError as exc:
        return str(_("This version does not compile: %(errors)s") % {"errors": exc})
    return True


VERSION = StateMachine(
    [
        Transition(
            "shadow",
            _("Run in shadow"),
            frozenset({S.DRAFT}),
            S.SHADOW,
            permission=GO_LIVE,
            reason_required=True,
            guard=compiles,
        ),
        Transition(
            "activate",
            _("Activate"),
            frozenset({S.DRAFT, S.SHADOW}),
            S.ACTIVE,
            permission=GO_LIVE,
            reason_required=True,
            guard=compiles,
        ),
        Transition(
            "retire",
            _("Retire"),
            frozenset({S.DRAFT, S.SHADOW, S.ACTIVE}),
            S.RETIRED,
            permission=GO_LIVE,
            reason_required=True,
        ),
    ],
    record=RuleVersionTransition,
)
