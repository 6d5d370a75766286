"""The external risk list (风险信息系统): the entries imported from it, each import, and the record
of every check of a merchant against it.

The acquiring rules (《银行卡收单业务管理办法》) ask acquirers to check a merchant against the risk
information shared through the industry's risk system when it is signed up and while it trades.
Staff import the listed USCCs, ID numbers and MIDs as CSV; ``merchants/risk/risklist/`` matches
merchants against them. ID numbers are never stored in clear: an entry keeps the ID's keyed hash
(the same blind index the merchant keeps of its legal representative's ID) and its masked form.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models.merchant import Merchant


class RiskListKind(models.TextChoices):
    USCC = "uscc", _("Unified social credit code")
    ID_NUMBER = "id_number", _("Resident ID number")
    MID = "mid", _("Merchant ID (MID)")


class RiskListImport(models.Model):
    """One CSV imported from the risk system: who, when, how many rows, and each bad row's error.

    ``errors`` is a list of ``{"row": n, "message": text}`` (n is the line of the file, the header
    being line 1); the valid rows of a file with bad ones are kept all the same.
    """

    file_name = models.CharField(_("file"), max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now, db_index=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_added = models.PositiveIntegerField(_("entries added"), default=0)
    rows_already = models.PositiveIntegerField(_("already listed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("risk-list import")
        verbose_name_plural = _("risk-list imports")
        ordering = ["-imported_at", "-pk"]
        permissions = [("import_risklist", _("Can import the external risk list"))]

    def __str__(self) -> str:
        return f"{self.file_name} · {self.imported_at:%Y-%m-%d %H:%M}"

    @property
    def rows_failed(self) -> int:
        return len(self.errors)


class RiskListEntryQuerySet(models.QuerySet["RiskListEntry"]):
    def active(self) -> RiskListEntryQuerySet:
        return self.filter(active=True)


class RiskListEntry(models.Model):
    """One listed USCC, ID number or MID, from which list of the risk system and why.

    ``value`` is the USCC or MID as printed, or the keyed hash of an ID number (``shown`` holds
    its masked form). A delisted entry is kept inactive, on record, rather than deleted.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=RiskListKind.choices)
    value = models.CharField(_("value"), max_length=64)
    shown = models.CharField(_("listed as"), max_length=30)
    source = models.CharField(
        _("list"), max_length=100, help_text=_("The list of the risk system it comes from.")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    source_import = models.ForeignKey(
        RiskListImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        verbose_name=_("import"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    history = HistoricalRecords()
    _change_reason: str
    objects = RiskListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk-list entry")
        verbose_name_plural = _("risk-list entries")
        ordering = ["-created_at", "-pk"]
        # Its (kind, value) prefix is the index the matching reads.
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value", "source"], name="risk_list_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shown} ({self.source})"


class CheckResult(models.TextChoices):
    CLEAR = "clear", _("Clear")
    HIT = "hit", _("Hit")


class CheckTrigger(models.TextChoices):
    ONBOARDING = "onboarding", _("Review started")
    CHANGE = "change", _("Key information changed")
    SCHEDULE = "schedule", _("Scheduled re-check")
    MANUAL = "manual", _("Recorded by staff")


class RiskListCheck(models.Model):
    """The result of checking a merchant against the risk list: when, hit or clear, the entries
    that matched, and who checked (None: the schedule). A manual check is a reviewer's record of
    a check made in the risk system itself, with a note."""

    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.CASCADE,
        related_name="risk_list_checks",
        verbose_name=_("merchant"),
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    trigger = models.CharField(_("how"), max_length=20, choices=CheckTrigger.choices)
    entries = models.ManyToManyField(
        RiskListEntry, blank=True, related_name="checks", verbose_name=_("matched entries")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("risk-list check")
        verbose_name_plural = _("risk-list checks")
        ordering = ["-checked_at", "-pk"]
        permissions = [("record_risklist_check", _("Can record a risk-list check"))]
        indexes = [models.Index(fields=["merchant", "-checked_at"], name="risk_check_merchant")]

    def __str__(self) -> str:
        return f"{self.merchant_id} · {self.get_result_display()} · {self.checked_at:%Y-%m-%d}"
