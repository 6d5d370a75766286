"""A report upload's states and the only ways between them."""

from __future__ import annotations

from portal.common.statemachine import StateMachine, Transition
from transactions.models import UploadStatus as S

# Workers' steps: nobody sees their labels but a developer reading a refusal.
UPLOAD = StateMachine(
    [
        # From "processing": a file a killed worker left is read again from its first row; from
        # "failed": a message delivered again reads the file again.
        Transition("start", "start", frozenset({S.QUEUED, S.PROCESSING, S.FAILED}), S.PROCESSING),
        Transition("finish", "finish", frozenset({S.PROCESSING}), S.DONE),
        Transition("fail", "fail", frozenset({S.PROCESSING}), S.FAILED),
    ]
)
