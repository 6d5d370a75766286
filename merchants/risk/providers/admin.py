"""The service provider registry in Django admin: details edited, status moved by recorded actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from merchants.models import Merchant, ProviderTransition, ServiceProvider
from merchants.risk.providers.rollup import rollup_of, threshold_percent, with_risk
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


class FlaggedFilter(admin.SimpleListFilter):
    """Providers with too many merchants rated high or prohibited."""

    title = gettext_lazy("flagged for review")
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(flagged=self.value() == "yes")
        return queryset


def _action(name: str) -> Any:
    return transition_action(PROVIDER, name, service=provider_transition, object_arg="provider")


@admin.register(ServiceProvider)
class ServiceProviderAdmin(TrailAdmin):
    list_display = (
        "name",
        "filing_number",
        "status",
        "merchant_count",
        "rated",
        "risky_share",
        "flag",
    )
    list_filter = ("status", FlaggedFilter)
    search_fields = ("name", "=filing_number", "=uscc")
    fields = ("name", "uscc", "filing_number", "status", "risk_rollup", "notes")
    readonly_fields = ("status", "risk_rollup")
    inlines = (ProviderMerchantInline, ProviderStepInline)
    actions = [_action("file"), _action("suspend"), _action("reinstate"), _action("blacklist")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceProvider]:
        return with_risk(super().get_queryset(request).annotate(merchant_total=Count("merchants")))

    @admin.display(description=gettext_lazy("merchants"), ordering="merchant_total")
    def merchant_count(self, provider: Any) -> int:
        return provider.merchant_total

    @admin.display(description=gettext_lazy("rated"), ordering="rated")
    def rated(self, provider: Any) -> int:
        return provider.rated

    @admin.display(description=gettext_lazy("high or prohibited"), ordering="risky")
    def risky_share(self, provider: Any) -> str:
        if not provider.rated:
            return "—"
        return f"{provider.risky} ({provider.risky * 100 / provider.rated:.1f} %)"

    @admin.display(description=gettext_lazy("flagged"), boolean=True, ordering="flagged")
    def flag(self, provider: Any) -> bool:
        return bool(provider.flagged)

    @admin.display(description=gettext_lazy("risk of its merchants"))
    def risk_rollup(self, provider: ServiceProvider) -> str:
        if provider.pk is None:
            return "—"
        return render_to_string(
            "admin/merchants/provider_rollup.html",
            {"rollup": rollup_of(provider), "threshold": threshold_percent()},
        )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the registry keeps its record; blacklist instead
