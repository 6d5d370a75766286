"""What was done to the partitions of the report table, by whom and when (PostgreSQL only)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartitionAction(models.TextChoices):
    CREATED = "created", _("Created")
    DETACHED = "detached", _("Detached to the archive schema")
    ATTACHED = "attached", _("Attached again")


class ReportPartitionEvent(models.Model):
    """One change to the report table's monthly partitions (docs/partitions.md).

    Written by the service that made the change, in its transaction: creating a month's partition
    (by the beat task or the command; ``rows`` says how many reports it took over from the default
    partition), detaching a month to the ``archive`` schema and attaching it again (the command
    only: a detached month leaves the hot table, so it is never done behind anyone's back).
    """

    action = models.CharField(_("action"), max_length=10, choices=PartitionAction.choices)
    month = models.DateField(_("month"), help_text=_("First day of the month, Beijing time."))
    table = models.CharField(_("table"), max_length=80)
    rows = models.BigIntegerField(_("reports"), default=0)
    actor = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report partition event")
        verbose_name_plural = _("report partition events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.table}"
