"""E-mails about alerts, through Django's mail backend (console in development)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q

from merchants.models import Membership, Role


def _staff_emails() -> list[str]:
    User = get_user_model()
    staff = User.objects.filter(is_active=True, is_staff=True).exclude(email="")
    staff = staff.filter(
        Q(is_superuser=True) | Q(groups__permissions__codename="review_alert")
    ).distinct()
    return sorted(staff.values_list("email", flat=True))


def _merchant_emails(merchant_id: int) -> list[str]:
    owners = Membership.objects.filter(
        merchant_id=merchant_id, role__in=[Role.OWNER, Role.STAFF], user__is_active=True
    )
    return sorted({m.user.email for m in owners.select_related("user") if m.user.email})


def new_serious_alerts(alerts: list[Any]) -> None:
    """One e-mail to compliance staff listing the new high-severity alerts of a run."""
    recipients = _staff_emails()
    if not alerts or not recipients:
        return
    lines = [
        f"#{a.pk} [{a.get_severity_display()}] {a.rule.name} · {a.merchant}: {a.explanation}"
        for a in alerts
    ]
    send_mail(
        subject=f"{len(alerts)} new high-severity alert(s)",
        message="\n".join(lines),
        from_email=None,
        recipient_list=recipients,
    )


def merchant_asked(alert: Any, question: str) -> None:
    recipients = _merchant_emails(alert.merchant_id)
    if recipients:
        send_mail(
            subject=f"Alert #{alert.pk} needs your answer / 预警 #{alert.pk} 需要您答复",
            message=f"{alert.explanation}\n\n{question}\n\nAnswer in the portal: /merchant/alerts/{alert.pk}/",
            from_email=None,
            recipient_list=recipients,
        )


def merchant_answered(alert: Any) -> None:
    if alert.assignee and alert.assignee.email:
        send_mail(
            subject=f"The merchant answered alert #{alert.pk}",
            message=f"{alert.merchant} answered alert #{alert.pk}: {alert.explanation}",
            from_email=None,
            recipient_list=[alert.assignee.email],
        )
