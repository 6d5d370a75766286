"""The e-mail to the compliance leads when an archive file fails its check, in each one's language."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from merchants.accounts.mail import recipients_of, send_in_their_language
from transactions.models import ArchiveMonth

LEAD_PERMISSION = "approve_deletion_job"


def archive_damaged(*, archive_month: ArchiveMonth, problems: list[str]) -> int:
    """Tell the leads (those who may approve deletions) what failed; how many messages went."""
    leads = get_user_model().objects.filter(is_active=True, is_staff=True)
    leads = leads.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename=LEAD_PERMISSION)
        | Q(user_permissions__codename=LEAD_PERMISSION)
    )

    def compose() -> tuple[str, str]:
        subject = _("Archive of %(month)s is damaged") % {"month": f"{archive_month.month:%Y-%m}"}
        body = "\n".join(
            [
                _(
                    "The archive of %(month)s failed its check. Its reports stay in the "
                    "database if they are still there, and it will not be deleted until its "
                    "files check out again (restore them from a backup copy, then verify the "
                    "month in admin)."
                )
                % {"month": f"{archive_month.month:%Y-%m}"},
                "",
                *problems,
            ]
        )
        return subject, body

    return send_in_their_language(recipients=recipients_of(leads), compose=compose)
