"""A regulator report's states and the only ways between them (the worker's steps)."""

from __future__ import annotations

from portal.common.statemachine import StateMachine, Transition
from transactions.models import ExportStatus as S

REGULATOR_REPORT = StateMachine(
    [
        # From "running" or "failed": a message delivered again (the worker died) builds it again.
        Transition("start", "start", frozenset({S.QUEUED, S.RUNNING, S.FAILED}), S.RUNNING),
        Transition("finish", "finish", frozenset({S.RUNNING}), S.DONE),
        Transition("fail", "fail", frozenset({S.RUNNING}), S.FAILED),
    ]
)
