"""The terminal's state machine: pending, active, suspended, retired."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from merchants.models import TerminalStatus as T
from merchants.models import TerminalTransition
from portal.common.statemachine import StateMachine, Transition, all_guards


def _has_tid(terminal: Any, actor: Any) -> bool | str:
    return True if terminal.tid else _("Assign a TID before activating the terminal.")


def _merchant_approved(terminal: Any, actor: Any) -> bool | str:
    return True if terminal.merchant.is_approved else _("The merchant is not approved.")


TERMINAL = StateMachine(
    [
        Transition(
            "activate",
            _("Activate"),
            frozenset({T.PENDING, T.SUSPENDED}),
            T.ACTIVE,
            permission="merchants.manage_terminal",
            guard=all_guards(_has_tid, _merchant_approved),
        ),
        Transition(
            "suspend",
            _("Suspend"),
            frozenset({T.ACTIVE}),
            T.SUSPENDED,
            permission="merchants.manage_terminal",
            reason_required=True,
        ),
        Transition(
            "retire",
            _("Retire"),
            frozenset({T.PENDING, T.ACTIVE, T.SUSPENDED}),
            T.RETIRED,
            permission="merchants.manage_terminal",
            reason_required=True,
        ),
    ],
    record=TerminalTransition,
)
