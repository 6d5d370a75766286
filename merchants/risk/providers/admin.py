"""The service provider registry in Django admin: details edited, status moved by recorded actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from merchants.models import Merchant, ProviderTransition, ServiceProvider
from merchants.risk.providers.services import provider_transition
from merchants.risk.providers.workflow import PROVIDER
from portal.common.admin import ReadOnlyInline, TrailAdmin, admin_link
from portal.common.admin_actions import permitted_actions, transition_action


class ProviderStepInline(ReadOnlyInline):
    model = ProviderTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = gettext_lazy("Trail")


class ProviderMerchantInline(ReadOnlyInline):
    """The merchants the provider brought: where its risk will be rolled up."""

    model = Merchant
    fk_name = "service_provider"
    fields = readonly_fields = ("merchant", "mid", "status", "business_province", "approved_at")
    verbose_name_plural = gettext_lazy("Merchants it brought")

    @admin.display(description=gettext_lazy("merchant"))
    def merchant(self, merchant: Merchant) -> str:
        return admin_link(merchant)


def _action(name: str) -> Any:
    return transition_action(PROVIDER, name, service=provider_transition, object_arg="provider")


@admin.register(ServiceProvider)
class ServiceProviderAdmin(TrailAdmin):
    list_display = ("name", "filing_number", "status", "merchant_count")
    list_filter = ("status",)
    search_fields = ("name", "=filing_number", "=uscc")
    fields = ("name", "uscc", "filing_number", "status", "notes")
    readonly_fields = ("status",)
    inlines = (ProviderMerchantInline, ProviderStepInline)
    actions = [_action("file"), _action("suspend"), _action("reinstate"), _action("blacklist")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceProvider]:
        return super().get_queryset(request).annotate(merchant_total=Count("merchants"))

    @admin.display(description=gettext_lazy("merchants"), ordering="merchant_total")
    def merchant_count(self, provider: Any) -> int:
        return provider.merchant_total

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the registry keeps its record; blacklist instead
