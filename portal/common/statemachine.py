"""A small explicit state machine: a table of named transitions with guards.

Used by every workflow in the portal. A transition names the states it leaves from, the state it
goes to, who may take it and whether a reason is required; :meth:`StateMachine.check` says
whether it may be taken now, and three helpers take it, so that no code sets a status by hand:

- :meth:`StateMachine.step`, a person's step (applications, terminals, alerts, complaints): lock
  the row, check, set the status, save and record who, when, from, to and why;
- :meth:`StateMachine.move` / :meth:`StateMachine.move_all`, a worker's step taken in one
  conditional UPDATE, so that of two workers racing for the same row only one moves it (and
  recorded, with the system as actor and the worker's reason, when the machine has a record);
- :meth:`StateMachine.apply`, a worker's step on a row it already holds: checked and set in
  memory, saved by the caller with the fields that go with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from portal.common.transitions import TransitionRecord


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
    """The transitions of one model's state; ``record`` is the model its steps are written to."""

    def __init__(
        self,
        transitions: Iterable[Transition],
        *,
        state_field: str = "status",
        record: type[TransitionRecord] | None = None,
    ) -> None:
        self.transitions = {t.name: t for t in transitions}
        self.state_field = state_field
        self.record = record

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

    def step(
        self,
        obj: Any,
        name: str,
        *,
        actor: Any,
        reason: str = "",
        queryset: Any = None,
        update_fields: Iterable[str] | None = None,
        prepare: Callable[[Any, Transition], None] | None = None,
    ) -> Any:
        """Take transition ``name`` of ``obj`` for ``actor``, record it, and return the saved row.

        The row is read again under ``select_for_update`` (from ``queryset`` when given) and the
        transition checked against that locked state, so two people acting at once cannot both
        take a step from the same state. ``prepare(obj, transition)`` sets the fields that go
        with the step, after the status and before the save (``update_fields`` when given); the
        step is written to ``record``. Raises :class:`TransitionNotAllowed` or
        ``PermissionDenied`` when it is refused, and then nothing is written.
        """
        with transaction.atomic():
            rows = queryset if queryset is not None else type(obj)._default_manager
            obj = rows.select_for_update().get(pk=obj.pk)
            transition = self.check(obj, name, actor=actor, reason=reason)
            previous = self.state(obj)
            setattr(obj, self.state_field, transition.target)
            if prepare is not None:
                prepare(obj, transition)
            obj._change_reason = f"{name}: {reason}".strip(": ")
            obj.save(update_fields=update_fields)
            if self.record is not None:
                step: dict[str, Any] = {
                    self.record.subject_field: obj,
                    "from_status": previous,
                    "to_status": transition.target,
                    "actor": actor,
                    "reason": reason.strip(),
                }
                self.record._default_manager.create(**step)
        return obj

    def move(
        self, obj: Any, name: str, *, actor: Any = None, reason: str = "", **fields: Any
    ) -> bool:
        """Take a worker's step ``name`` with ``fields`` if ``obj``'s row is in a source state.

        One conditional UPDATE (``WHERE status IN sources``); ``obj`` is updated to match when it
        moved. False when the row was in another state (another worker got there first).

        With a ``record``, the step is written to it with ``actor`` (None: the system, a worker)
        and ``reason``, in the same transaction as the UPDATE. The record names the state the row
        left, so each source is then its own conditional UPDATE (``WHERE status = source``), the
        state ``obj`` was read in first: one statement as a rule, and still only one of two racing
        workers moves the row.
        """
        transition = self.transitions[name]
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        if self.record is None:
            moved = bool(self.move_all(rows, name, **fields))
        else:
            moved = self._move_recorded(obj, rows, transition, actor, reason, fields)
        if moved:
            setattr(obj, self.state_field, transition.target)
            for key, value in fields.items():
                setattr(obj, key, value)
        return moved

    def _move_recorded(
        self,
        obj: Any,
        rows: Any,
        transition: Transition,
        actor: Any,
        reason: str,
        fields: dict[str, Any],
    ) -> bool:
        record = self.record
        if record is None:
            return False
        current = self.state(obj)
        sources = sorted(transition.sources, key=lambda source: (source != current, source))
        for source in sources:
            with transaction.atomic():
                updated = rows.filter(**{self.state_field: source}).update(
                    **{self.state_field: transition.target}, **fields
                )
                if updated:
                    record._default_manager.create(
                        **{
                            record.subject_field: obj,
                            "from_status": source,
                            "to_status": transition.target,
                            "actor": actor,
                            "reason": reason.strip(),
                        }
                    )
                    return True
        return False

    def move_all(self, rows: Any, name: str, **fields: Any) -> int:
        """Take a worker's step ``name`` for those of ``rows`` in a source state; how many moved.

        Not for a machine with a ``record``: its steps are taken one row at a time (:meth:`move`).
        """
        if self.record is not None:
            raise TypeError("A recorded machine moves one row at a time: use move().")
        transition = self.transitions[name]
        return rows.filter(**{f"{self.state_field}__in": transition.sources}).update(
            **{self.state_field: transition.target}, **fields
        )

    def apply(self, obj: Any, name: str) -> Transition:
        """Set ``obj``'s state for a worker's step ``name``, in memory; the caller saves it.

        For a row the worker already holds (locked, or claimed). Raises
        :class:`TransitionNotAllowed` when ``obj`` is not in a state the step leaves from.
        """
        transition = self.check(obj, name, actor=None)
        setattr(obj, self.state_field, transition.target)
        return transition


def all_guards(*guards: Any) -> Any:
    def guard(obj: Any, actor: Any) -> bool | str:
        for g in guards:
            verdict = g(obj, actor)
            if verdict is not True:
                return verdict
        return True

    return guard
