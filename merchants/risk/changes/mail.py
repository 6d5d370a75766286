"""The merchant is told the decision on its change request, in both languages in one message.

The people told are the ones who may act on it: the merchant's owners and staff. The message
names what changed, never the values (an e-mail is not a safe place for an account number).
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from merchants.models import ChangeRequest, ChangeStatus, Membership, Role

LANGUAGES = ("zh-hans", "en")


def merchant_emails(merchant_id: int) -> list[str]:
    members = Membership.objects.filter(
        merchant_id=merchant_id, role__in=[Role.OWNER, Role.STAFF], user__is_active=True
    ).exclude(user__email="")
    return sorted(set(members.values_list("user__email", flat=True)))


def _texts(change: ChangeRequest, note: str) -> tuple[str, str]:
    link = reverse("merchants:change_detail", args=[change.pk])
    params = {"number": change.pk, "kind": change.get_kind_display()}
    if change.status == ChangeStatus.APPROVED:
        subject = _("Change request #%(number)s approved") % params
        body = _("Your request to change the %(kind)s was approved and is now in force.") % params
    elif change.status == ChangeStatus.REJECTED:
        subject = _("Change request #%(number)s rejected") % params
        body = (
            _(
                "Your request to change the %(kind)s was rejected; the information on file stays as it was."
            )
            % params
        )
    else:
        subject = _("Change request #%(number)s needs more information") % params
        body = (
            _(
                "Compliance needs more information about your request to change the %(kind)s. "
                "Add it in the portal and hand the request in again."
            )
            % params
        )
    if note:
        body += "\n" + _("Compliance's note: %(note)s") % {"note": note}
    body += "\n" + _("See it in the portal: %(link)s") % {"link": link}
    return subject, body


def decision(change: ChangeRequest) -> None:
    """E-mail the merchant the decision just taken on ``change`` (with the reviewer's note)."""
    recipients = merchant_emails(change.merchant_id)
    if not recipients:
        return
    last = change.transitions.order_by("-created_at", "-pk").first()
    note = last.reason if last else ""
    subjects, bodies = [], []
    for language in LANGUAGES:
        with translation.override(language):
            subject, body = _texts(change, note)
        subjects.append(subject)
        bodies.append(body)
    send_mail(
        subject=" / ".join(subjects),
        message="\n\n".join(bodies),
        from_email=None,
        recipient_list=recipients,
    )
