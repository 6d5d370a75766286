"""E-mails about complaints, through Django's mail backend (console in development).

Never the complainant's name or contact: these go to the merchant and to staff mailboxes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q

from merchants.models import Membership, Role


def staff_emails() -> list[str]:
    """Everyone who handles complaints (and superusers)."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    users = users.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename="handle_complaint")
        | Q(user_permissions__codename="handle_complaint")
    ).distinct()
    return sorted(users.values_list("email", flat=True))


def merchant_emails(merchant_id: int) -> list[str]:
    """The merchant's owners and staff: the people who can answer."""
    members = Membership.objects.filter(
        merchant_id=merchant_id, role__in=[Role.OWNER, Role.STAFF], user__is_active=True
    ).exclude(user__email="")
    return sorted(set(members.values_list("user__email", flat=True)))


def _summary(complaint: Any) -> str:
    report = complaint.report
    return (
        f"#{complaint.pk} {complaint.reason.name}: TID {report.tid}, RRN {report.rrn}, "
        f"{report.amount} {report.currency}, {report.occurred_at:%Y-%m-%d %H:%M}"
    )


def merchant_asked(complaint: Any, question: str) -> None:
    recipients = merchant_emails(complaint.merchant_id)
    if recipients:
        send_mail(
            subject=f"Complaint #{complaint.pk} needs your answer / 投诉 #{complaint.pk} 需要您答复",
            message=(
                f"{_summary(complaint)}\n\n{question}\n\n"
                f"Answer by {complaint.due_at:%Y-%m-%d %H:%M} UTC in the portal: "
                f"/merchant/complaints/{complaint.pk}/"
            ),
            from_email=None,
            recipient_list=recipients,
        )


def merchant_answered(complaint: Any) -> None:
    recipients = staff_emails()
    if recipients:
        send_mail(
            subject=f"The merchant answered complaint #{complaint.pk}",
            message=f"{complaint.merchant} answered: {_summary(complaint)}",
            from_email=None,
            recipient_list=recipients,
        )


def overdue(complaint: Any) -> None:
    """Tell staff and the merchant, separately (neither sees the other's addresses)."""
    message = (
        f"{_summary(complaint)}\n\nThe answer was due {complaint.due_at:%Y-%m-%d %H:%M} UTC "
        f"and the complaint is still “{complaint.get_status_display()}”."
    )
    subject = f"Complaint #{complaint.pk} is overdue / 投诉 #{complaint.pk} 已逾期"
    for recipients in (staff_emails(), merchant_emails(complaint.merchant_id)):
        if recipients:
            send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
