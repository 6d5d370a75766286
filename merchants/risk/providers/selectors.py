"""Reading the registry: which provider a filing number names, and whether it may bring merchants.

The onboarding application asks these, so that a merchant cannot be signed up through a provider
that is not filed, or is suspended or blacklisted, however it got onto the application.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from merchants.models import Merchant, ServiceProvider


def provider_by_filing_number(filing_number: str) -> ServiceProvider:
    """The provider filed under ``filing_number`` if it may bring new merchants.

    Raises ``ValidationError`` (for the form's field) when none is registered under it or when it
    may not bring merchants now.
    """
    provider = ServiceProvider.objects.filter(filing_number=filing_number.strip()).first()
    if provider is None:
        raise ValidationError(
            _("No service provider is registered under this filing number."),
            code="unknown_provider",
        )
    check_provider_may_bring(provider)
    return provider


def check_provider_may_bring(provider: ServiceProvider) -> None:
    if not provider.may_bring_merchants:
        raise ValidationError(
            _("%(name)s may not sign up new merchants (%(status)s)."),
            code="provider_not_allowed",
            params={"name": provider.name, "status": provider.get_status_display()},
        )


def provider_guard(merchant: Merchant, actor: object) -> bool | str:
    """An application guard: its provider, if any, must still be allowed to bring merchants."""
    if merchant.service_provider_id is None:
        return True
    try:
        check_provider_may_bring(ServiceProvider.objects.get(pk=merchant.service_provider_id))
    except ValidationError as exc:
        return " ".join(exc.messages)
    return True


def merchants_of(provider: ServiceProvider) -> QuerySet[Merchant]:
    return provider.merchants.order_by("-created_at")
