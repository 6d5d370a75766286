"""Second factor (django-otp): who must pass it, enrolling an authenticator app, backup codes.

Staff always need a verified second factor: they decide on merchants, alerts and complaints. Merchant
users may enrol one; once they have, it is asked of them too (a factor that can be skipped protects
nothing).
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR_NAME = _("Authenticator app")
BACKUP_CODES_NAME = _("Backup codes")
BACKUP_CODE_COUNT = 10


def second_factor_step(user: Any) -> str | None:
    """The URL name of the step this signed-in user owes before using the portal, if any: the
    code for a user with a device (staff or merchant), enrolment for staff without one."""
    if has_second_factor(user):
        return "otp_verify"
    return "otp_setup" if user.is_staff else None


def has_second_factor(user: Any) -> bool:
    """A confirmed device: an enrolled authenticator app or backup codes."""
    return user_has_device(user, confirmed=True)


def device_for_code(user: Any, code: str) -> str:
    """The persistent id of the device a code is from: six digits are the app's, else a backup code."""
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device.persistent_id if device is not None else ""


def totp_enrolment_device(*, user: Any) -> TOTPDevice:
    """The user's authenticator app being enrolled: unconfirmed until a code from it is entered.

    Reused across page loads so the QR code the user scanned stays valid.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=str(AUTHENTICATOR_NAME), confirmed=False)
        device._change_reason = "authenticator key issued"  # type: ignore[attr-defined]
        device.save()
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key in the base32 form authenticator apps accept when typed in."""
    return b32encode(device.bin_key).decode("ascii")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG markup (no image request, nothing off-site)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


@transaction.atomic
def totp_enrolment_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the app with a code it shows; a wrong code leaves the device unconfirmed."""
    if device.confirmed or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device._change_reason = "authenticator app confirmed"  # type: ignore[attr-defined]
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def backup_codes_issue(*, user: Any, codes: list[str] | None = None) -> list[str]:
    """Give the user a fresh set of one-time backup codes; the previous set stops working.

    ``codes`` is for the demo data only (known codes); otherwise they are random. The device's
    history records the issue or the renewal (who, when, how many), never the codes.
    """
    if codes is None:
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    device = (
        StaticDevice.objects.select_for_update()
        .filter(user=user, name=str(BACKUP_CODES_NAME))
        .first()
    )
    if device is None:
        device = StaticDevice(user=user, name=str(BACKUP_CODES_NAME), confirmed=True)
        device._change_reason = f"backup codes issued ({len(codes)})"  # type: ignore[attr-defined]
    else:
        device.token_set.all().delete()
        device._change_reason = f"backup codes renewed ({len(codes)})"  # type: ignore[attr-defined]
    device.save()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
