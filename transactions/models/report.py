"""The stored transaction report: written once, never edited; corrections are amendments."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants.models import DEFAULT_DEADLINE_HOURS, Merchant, ReportingSettings, Terminal


class ReportType(models.TextChoices):
    SALE = "sale", _("Sale")
    REFUND = "refund", _("Refund")
    VOID = "void", _("Void")
    PREAUTH = "preauth", _("Pre-authorisation")
    PREAUTH_COMPLETION = "preauth_completion", _("Pre-authorisation completion")


class PaymentMethod(models.TextChoices):
    CREDIT_CARD = "credit_card", _("Credit card")
    DEBIT_CARD = "debit_card", _("Debit card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    UNIONPAY_QR = "unionpay_qr", _("UnionPay QR")


CARD_METHODS = frozenset({PaymentMethod.CREDIT_CARD, PaymentMethod.DEBIT_CARD})
# Types that refer back to an earlier report of the same terminal.
REFERRING_TYPES = frozenset({ReportType.REFUND, ReportType.VOID, ReportType.PREAUTH_COMPLETION})


class Cvm(models.TextChoices):
    PIN = "pin", _("PIN")
    SIGNATURE = "signature", _("Signature")
    NONE = "none", _("None")
    CONTACTLESS = "contactless", _("Contactless")
    BIOMETRIC = "biometric", _("Biometric")


class Source(models.TextChoices):
    API = "api", _("Real-time API")
    FILE = "file", _("Batch file")
    MANUAL = "manual", _("Manual entry")


def late_q() -> Q:
    """Reports received after their merchant's current deadline (24 h without settings).

    One condition per distinct deadline in use, so the database compares columns, not a join
    result per row. The dashboard's rollups count "late" with the same condition.
    """
    deadlines = set(ReportingSettings.objects.values_list("deadline_hours", flat=True))
    late = Q(
        merchant__reporting__isnull=True,
        received_at__gt=F("occurred_at") + timedelta(hours=DEFAULT_DEADLINE_HOURS),
    )
    for hours in deadlines:
        late |= Q(
            merchant__reporting__deadline_hours=hours,
            received_at__gt=F("occurred_at") + timedelta(hours=hours),
        )
    return late


class ImmutableError(Exception):
    """Raised on any attempt to change a stored report."""


class ReportQuerySet(models.QuerySet["Report"]):
    def for_merchant(self, merchant: Merchant) -> ReportQuerySet:
        return self.filter(merchant=merchant)

    def update(self, **kwargs: object) -> int:
        raise ImmutableError("Reports are immutable; record an amendment instead.")


class Report(models.Model):
    """One card or QR transaction as the terminal (or merchant) reported it.

    ``(terminal, report_id)`` is the idempotency key; ``content_hash`` tells an identical resend
    (a duplicate) from a different report under the same id (a conflict).
    """

    # No single-column indexes on these two: the (terminal, time) and (merchant, time) indexes
    # below serve every lookup by them, and each extra index slows ingestion down.
    terminal = models.ForeignKey(
        Terminal,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("terminal"),
        db_index=False,
    )
    merchant = models.ForeignKey(
        Merchant,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("merchant"),
        db_index=False,
    )
    report_id = models.UUIDField(_("report id"))
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    type = models.CharField(_("type"), max_length=20, choices=ReportType.choices)
    method = models.CharField(_("payment method"), max_length=12, choices=PaymentMethod.choices)
    masked_pan = models.CharField(_("card number (masked)"), max_length=19, blank=True)
    card_token = models.CharField(_("card token"), max_length=64, blank=True)
    rrn = models.CharField(_("RRN"), max_length=12)
    trace_no = models.CharField(_("trace number"), max_length=6)
    batch_no = models.CharField(_("batch number"), max_length=6, blank=True)
    auth_code = models.CharField(_("authorisation code"), max_length=6, blank=True)
    mcc = models.CharField(_("MCC"), max_length=4)
    acquirer_mid = models.CharField(_("acquirer MID"), max_length=15)
    tid = models.CharField(_("TID"), max_length=8)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    cvm = models.CharField(_("cardholder verification"), max_length=12, choices=Cvm.choices)
    original_report_id = models.UUIDField(_("original report id"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    content_hash = models.CharField(_("content hash"), max_length=64)
    upload = models.ForeignKey(
        "transactions.ReportUpload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("upload"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            # report_id leads: the idempotency lookup is "these ids of this terminal", and a
            # random UUID is selective on its own, whatever the planner's statistics say.
            models.UniqueConstraint(
                fields=["report_id", "terminal"], name="report_unique_per_terminal"
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "-occurred_at"], name="report_merchant_time"),
            models.Index(fields=["terminal", "occurred_at"], name="report_terminal_time"),
            models.Index(fields=["rrn"], name="report_rrn"),
            models.Index(fields=["received_at"], name="report_received"),
            # Daily sales per terminal and merchant (the volume-spike look-back) read from the
            # index alone: an index-only scan instead of weeks of table rows on every audit.
            models.Index(
                fields=["terminal", "occurred_at"],
                include=["merchant", "amount"],
                condition=models.Q(type="sale"),
                name="report_sales_by_terminal",
            ),
            # The merchant's report list (transactions/reports/filters.py, keyset pages of 50). Sorting by time
            # is served by report_merchant_time; these serve what it cannot, each measured on a
            # merchant with 1,000,000 reports (docs/performance-history.md, "Report list"):
            # amount order, either way, with the pk tie-breaker of the keyset (0.9 s → ms);
            models.Index(fields=["merchant", "amount", "id"], name="report_merchant_amount"),
            # search by trace number, and by the card's last 4 digits (card reports only, so the
            # QR half of the table is not in it): a probe instead of a scan of all the merchant's
            # reports (0.25 s → ms).
            models.Index(fields=["merchant", "trace_no"], name="report_merchant_trace"),
            models.Index(
                models.F("merchant"),
                Right("masked_pan", 4),
                condition=~models.Q(masked_pan=""),
                name="report_merchant_last4",
            ),
            # search by the RRN's last 4 or 6 digits (both through the last 4: filters._rrn_end_q).
            models.Index(models.F("merchant"), Right("rrn", 4), name="report_merchant_rrn4"),
            # A card's reports at a merchant in a window: the rule studio's per-card aggregates
            # (one probe per report instead of the merchant's whole window: a backtest of a
            # same-card rule over 1,000,000 reports, minutes → 13 s; bench/backtest.py).
            models.Index(
                fields=["merchant", "card_token", "occurred_at"],
                condition=~models.Q(card_token=""),
                name="report_merchant_card_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tid} {self.rrn} {self.amount} {self.currency}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Refuse updates loudly: a report is evidence, corrections are ReportAmendment rows.
        if not self._state.adding:
            raise ImmutableError("Reports are immutable; record an amendment instead.")
        super().save(*args, **kwargs)

    @property
    def last4(self) -> str:
        return self.masked_pan[-4:] if self.masked_pan else ""


class ReportAmendment(models.Model):
    """A correction of a stored report: what changed, who said so, and why."""

    # No database constraint: on PostgreSQL the reports are partitioned (docs/partitions.md).
    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("report"),
        db_constraint=False,
    )
    changes = models.JSONField(_("changes"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {', '.join(self.changes)}"


class ReportKey(models.Model):
    """The idempotency register of PostgreSQL's partitioned reports: one row per stored report.

    A unique constraint of a partitioned table must include the partition key (the report's
    time), so ``(report_id, terminal)`` alone cannot be unique there: a resend with another time
    would land in another partition. This narrow, unpartitioned table carries that uniqueness
    instead. Database triggers fill it from every insert into the reports (the API, files, COPY,
    manual entry, fixtures alike) and empty it with them; a second row with the same key fails the
    insert as the old constraint did. Ingestion reads the stored content hash and upload here, one
    index probe instead of one per partition. Reports of detached (archived) months keep their
    keys: a resend of an archived report is still a duplicate. Created by the migration on
    PostgreSQL only; SQLite keeps its plain report table and that table's unique constraint.
    """

    pk = models.CompositePrimaryKey("report_id", "terminal_id")
    report_id = models.UUIDField(_("report id"))
    terminal_id = models.BigIntegerField(_("terminal"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    upload_id = models.BigIntegerField(_("upload"), null=True)

    class Meta:
        managed = False
        db_table = "transactions_report_key"
        verbose_name = _("report key")
        verbose_name_plural = _("report keys")

    def __str__(self) -> str:
        return f"{self.terminal_id} {self.report_id}"
