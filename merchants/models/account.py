"""What a portal user chose for themselves: the language the portal writes to them in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_language() -> str:
    return settings.LANGUAGE_CODE


class AccountPreferences(models.Model):
    """A user's own settings, kept apart from Django's user (the portal uses the stock one).

    ``language`` is the language of the e-mails sent to the user (alerts, complaints, overdue
    reminders): the recipient's, not that of whoever's action sent them. Users without a row
    get ``settings.LANGUAGE_CODE``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=default_language,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("account preferences")
        verbose_name_plural = _("account preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"
