"""E-mails about inspections, each in its recipient's language (``merchants.accounts.mail``).

The merchant's owners and staff are asked for photos when a photo request is created; when an
inspection is overdue its inspector is told, or the leads (who assign) when nobody is assigned.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from merchants.accounts.groups import staff_holding
from merchants.accounts.mail import (
    Recipient,
    merchant_people,
    recipients_of,
    send_in_their_language,
)
from merchants.models import Inspection


def leads() -> list[Recipient]:
    """Whoever assigns inspections (and superusers)."""
    return recipients_of(staff_holding("assign_inspection"))


def photos_requested(inspection: Inspection, note: str = "") -> None:
    """Ask the merchant for photos of its business by the due date (again, with staff's note)."""

    def compose() -> tuple[str, str]:
        subject = _("Photos of your business are due by %(date)s") % {
            "date": date_format(inspection.due_on)
        }
        body = _(
            "As required by the acquiring rules, please upload recent photos of your business "
            "(the place where you sell and your terminals in use) by %(date)s.\n\n"
            "Upload them in the portal: %(link)s"
        ) % {
            "date": date_format(inspection.due_on),
            "link": reverse("merchants:inspections"),
        }
        if note:
            body += "\n\n" + _("Compliance asked for new photos: %(note)s") % {"note": note}
        return subject, body

    send_in_their_language(recipients=merchant_people(inspection.merchant_id), compose=compose)


def overdue(inspections: Sequence[Inspection]) -> None:
    """Tell each overdue inspection's inspector, or the leads for those nobody is assigned to."""
    by_assignee: dict[int | None, list[Inspection]] = {}
    for inspection in inspections:
        by_assignee.setdefault(inspection.assignee_id, []).append(inspection)
    for assignee_id, group in by_assignee.items():
        if assignee_id is None:
            recipients = leads()
        else:
            recipients = recipients_of(
                get_user_model().objects.filter(pk=assignee_id, is_active=True)
            )

        def compose(group: list[Inspection] = group) -> tuple[str, str]:
            subject = _("Overdue inspections: %(count)d") % {"count": len(group)}
            lines = [
                _("%(inspection)s of %(merchant)s (%(kind)s) was due on %(date)s.")
                % {
                    "inspection": inspection,
                    "merchant": inspection.merchant,
                    "kind": inspection.get_kind_display(),
                    "date": date_format(inspection.due_on),
                }
                for inspection in group
            ]
            return subject, "\n".join(lines)

        send_in_their_language(recipients=recipients, compose=compose)
