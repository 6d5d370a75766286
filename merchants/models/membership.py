"""Who works for which merchant, and in what role."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from merchants.models.merchant import Merchant


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A portal user's seat at a merchant.

    A user belongs to one merchant (the portal is scoped by it); a merchant has many users.
    Owners manage members and settings; staff edit the application and terminals; viewers read.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("merchant")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["merchant", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.OWNER, Role.STAFF)

    @property
    def can_manage(self) -> bool:
        return self.role == Role.OWNER
