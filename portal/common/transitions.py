"""The recorded step of a workflow, shared by the transition models of both apps.

Abstract, so it lives here (``portal`` is no installed app) and neither app imports the other's
models for it. :meth:`portal.common.statemachine.StateMachine.step` writes these rows.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransitionRecord(models.Model):
    """One step of a workflow: who moved the subject from which state to which, when and why.

    A concrete step declares the foreign key to its subject (and names it in ``subject_field``)
    and ``from_status`` / ``to_status`` with the subject's choices and length.
    """

    subject_field: ClassVar[str]

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
