"""A small explicit state machine: a table of named transitions with guards.

Used by every workflow in the portal (applications, terminals, and later alerts and complaints).
A transition names the states it leaves from, the state it goes to, who may take it and whether a
reason is required. :meth:`StateMachine.take` checks all of that and returns the target state; the
services that call it persist the change and record the step inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _


class TransitionNotAllowed(ValidationError):
    """The object is not in a state the transition leaves from, or a guard said no."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    # Django permission ("app.codename") a staff user needs; None when the actor is checked
    # by ``allowed`` instead (e.g. a merchant's own users).
    permission: str | None = None
    reason_required: bool = False
    # Extra guard: (obj, actor) -> True or an error message.
    guard: Callable[[Any, Any], bool | str] | None = field(default=None, compare=False)


class StateMachine:
    def __init__(self, transitions: Iterable[Transition], *, state_field: str = "status") -> None:
        self.transitions = {t.name: t for t in transitions}
        self.state_field = state_field

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def state(self, obj: Any) -> str:
        return getattr(obj, self.state_field)

    def available(self, obj: Any, actor: Any = None) -> list[Transition]:
        """Transitions that ``actor`` could take on ``obj`` now (ignoring the reason)."""
        result = []
        for transition in self.transitions.values():
            try:
                self.check(obj, transition.name, actor=actor, reason="-")
            except (TransitionNotAllowed, PermissionDenied):
                continue
            result.append(transition)
        return result

    def check(self, obj: Any, name: str, *, actor: Any, reason: str = "") -> Transition:
        """Return the transition if it may be taken, else raise with a message that says why."""
        try:
            transition = self.transitions[name]
        except KeyError:
            raise TransitionNotAllowed(_("Unknown action."), code="unknown") from None
        current = self.state(obj)
        if current not in transition.sources:
            raise TransitionNotAllowed(
                _("Cannot %(action)s from state “%(state)s”."),
                code="invalid_state",
                params={"action": str(transition.label).lower(), "state": current},
            )
        if transition.permission and not (actor and actor.has_perm(transition.permission)):
            raise PermissionDenied(_("You are not allowed to do this."))
        if transition.reason_required and not (reason or "").strip():
            raise TransitionNotAllowed(_("A reason is required."), code="reason_required")
        if transition.guard is not None:
            verdict = transition.guard(obj, actor)
            if verdict is not True:
                raise TransitionNotAllowed(verdict or _("Not allowed now."), code="guard")
        return transition


def all_guards(*guards: Any) -> Any:
    def guard(obj: Any, actor: Any) -> bool | str:
        for g in guards:
            verdict = g(obj, actor)
            if verdict is not True:
                return verdict
        return True

    return guard
