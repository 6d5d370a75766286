"""An audit run's states: running, then done or failed, and the only ways between them."""

from __future__ import annotations

from portal.common.statemachine import StateMachine, Transition
from transactions.models import RunStatus as S

# Workers' steps: nobody sees their labels but a developer reading a refusal.
AUDIT_RUN = StateMachine(
    [
        # From "failed" too: a part that raised may still succeed in a second delivery of its
        # message, and the part that completes the set finishes the run whatever its state.
        Transition("finish", "finish", frozenset({S.RUNNING, S.FAILED}), S.DONE),
        Transition("fail", "fail", frozenset({S.RUNNING}), S.FAILED),
    ]
)
