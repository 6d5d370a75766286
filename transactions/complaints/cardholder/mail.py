"""Messages to the cardholder (the proof code, the tracking code) and to staff about them.

By e-mail through Django's mail backend, or by text message (``sms.send_sms``) when the
cardholder gave a phone number only. Both languages in one message: the cardholder chose theirs
on the page, but the message may be read elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail

from transactions.complaints.cardholder.sms import send_sms
from transactions.complaints.mail import staff_emails


def proof_code(*, phone: str, email: str, code: str) -> None:
    text = (
        f"您的投诉验证码是 {code}，10 分钟内有效。请勿告诉他人。\n"
        f"Your complaint confirmation code is {code}. It is valid for 10 minutes; share it with no one."
    )
    if email:
        send_mail(
            subject="投诉验证码 / Complaint confirmation code",
            message=text,
            from_email=None,
            recipient_list=[email],
        )
    else:
        send_sms(to=phone, message=text)


def tracking(*, phone: str, email: str, code: str, link: str, number: int) -> None:
    if email:
        send_mail(
            subject=f"投诉 #{number} 已受理 / Complaint #{number} received",
            message=(
                f"我们已收到您的投诉。查看进度：{link}\n跟踪码：{code}\n\n"
                f"We have received your complaint. Follow it here: {link}\n"
                f"Tracking code: {code}\n\n"
                "请妥善保管此码：凭它可以查看、补充或撤回投诉。\n"
                "Keep this code: with it you can follow, add to or withdraw the complaint."
            ),
            from_email=None,
            recipient_list=[email],
        )
    else:
        send_sms(
            to=phone,
            message=f"投诉 #{number} 已受理，跟踪码 {code}，查看：{link} / Complaint received: {link}",
        )


def staff_told(complaint: Any, what: str) -> None:
    """Tell compliance the cardholder added information or withdrew (no contact details)."""
    recipients = staff_emails()
    if recipients:
        send_mail(
            subject=f"Complaint #{complaint.pk}: the cardholder {what}",
            message=f"Complaint #{complaint.pk} ({complaint.get_status_display()}): the cardholder {what}.",
            from_email=None,
            recipient_list=recipients,
        )
