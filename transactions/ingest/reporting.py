"""Whether a merchant may report now (file and manual entry; the API checks its terminal)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from merchants.models import Merchant, ReportingSettings


def require_reporting(merchant: Merchant) -> None:
    if not merchant.is_approved:
        raise ValidationError(_("Reports can be sent once your application is approved."))
    if not ReportingSettings.objects.filter(merchant=merchant, enabled=True).exists():
        raise ValidationError(_("Turn reporting on in your reporting settings first."))
