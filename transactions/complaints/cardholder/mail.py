"""Messages to the cardholder (the proof code, the tracking code) and to staff about them.

By e-mail through Django's mail backend, or by text message (``sms.send_sms``) when the
cardholder gave a phone number only. Written in the language of the page the cardholder gave the
contact on (``Contact.language``, kept on the complaint as ``complainant_language``); staff's in
each reader's own language.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from merchants.accounts.mail import send_in_their_language, supported
from transactions.complaints.cardholder.sms import send_sms
from transactions.complaints.mail import staff


def proof_code(*, phone: str, email: str, code: str, language: str) -> None:
    with translation.override(supported(language)):
        text = _(
            "Your complaint confirmation code is %(code)s. It is valid for 10 minutes; share it "
            "with no one."
        ) % {"code": code}
        subject = _("Complaint confirmation code")
    if email:
        send_mail(subject=subject, message=text, from_email=None, recipient_list=[email])
    else:
        send_sms(to=phone, message=text)


def tracking(*, phone: str, email: str, code: str, link: str, number: int, language: str) -> None:
    with translation.override(supported(language)):
        subject = _("Complaint #%(number)d received") % {"number": number}
        body = _(
            "We have received your complaint. Follow it here: %(link)s\n"
            "Tracking code: %(code)s\n\n"
            "Keep this code: with it you can follow, add to or withdraw the complaint."
        ) % {"link": link, "code": code}
        short = _("Complaint #%(number)d received. Tracking code %(code)s: %(link)s") % {
            "number": number,
            "code": code,
            "link": link,
        }
    if email:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[email])
    else:
        send_sms(to=phone, message=short)


def staff_told(complaint: Any, what: str) -> None:
    """Tell compliance the cardholder added information or withdrew (no contact details).

    ``what`` is ``"added information"`` or ``"withdrew it"``.
    """

    def compose() -> tuple[str, str]:
        if what == "withdrew it":
            subject = _("Complaint #%(number)d: the cardholder withdrew it")
            body = _("Complaint #%(number)d (%(status)s): the cardholder withdrew it.")
        else:
            subject = _("Complaint #%(number)d: the cardholder added information")
            body = _("Complaint #%(number)d (%(status)s): the cardholder added information.")
        values = {"number": complaint.pk, "status": complaint.get_status_display()}
        return subject % {"number": complaint.pk}, body % values

    send_in_their_language(recipients=staff(), compose=compose)
