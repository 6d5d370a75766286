"""The rating in admin: the levels and what each allows, the high-risk lists, every merchant's
rating with its factors and history, and a lead's override (through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.accounts import admin as admin_beat  # noqa: F401  (beat's admin, its actions on record)
from merchants.models import (
    HighRiskMcc,
    HighRiskRegion,
    Merchant,
    MerchantRisk,
    RiskLevel,
    RiskLevelChange,
    RiskLevelPolicy,
)
from merchants.risk.rating.forms import ClearOverrideForm, OverrideForm, RiskLevelPolicyForm
from merchants.risk.rating.panel import rating_panel
from merchants.risk.rating.selectors import factors_read
from merchants.risk.rating.services import (
    OVERRIDE_PERMISSION,
    rate_merchants,
    risk_override,
    risk_override_clear,
)
from portal.common.admin import ReadOnlyAdmin, TrailAdmin, admin_link
from portal.common.forms import form_add_errors


@admin.register(RiskLevelPolicy)
class RiskLevelPolicyAdmin(TrailAdmin):
    form = RiskLevelPolicyForm
    list_display = (
        "level",
        "min_score",
        "per_transaction_limit",
        "daily_limit",
        "terminal_approval_required",
        "inspection_every_months",
        "updated_at",
    )
    fields = (
        "level",
        "min_score",
        "per_transaction_limit",
        "daily_limit",
        "terminal_approval_required",
        "inspection_every_months",
    )
    readonly_fields = ("level",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the four levels are fixed; their bands and limits are edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HighRiskMcc)
class HighRiskMccAdmin(TrailAdmin):
    list_display = ("mcc", "category", "points", "updated_at")
    search_fields = ("mcc", "category")
    fields = ("mcc", "category", "points")


@admin.register(HighRiskRegion)
class HighRiskRegionAdmin(TrailAdmin):
    list_display = ("province", "city", "reason", "points", "updated_at")
    list_filter = ("province",)
    fields = ("province", "city", "reason", "points")


class LevelFilter(admin.SimpleListFilter):
    """By the level in force (a live override's, else the computed one)."""

    title = gettext_lazy("level in force")
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(RiskLevel.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(level=self.value()) if self.value() else queryset


@admin.register(MerchantRisk)
class MerchantRiskAdmin(ReadOnlyAdmin):
    change_form_template = "admin/merchants/merchantrisk/change_form.html"
    list_display = (
        "merchant",
        "level_in_force",
        "score",
        "computed_level",
        "override_level",
        "override_expires_at",
        "computed_at",
    )
    list_filter = (LevelFilter, "computed_level")
    search_fields = ("merchant__legal_name", "merchant__short_name", "merchant__mid")
    list_select_related = ("merchant",)
    fields = readonly_fields = (
        "merchant_link",
        "panel",
        "override_reason",
        "override_by",
        "override_at",
    )
    actions = ["rate_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_level()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("level in force"), ordering="level")
    def level_in_force(self, risk: MerchantRisk) -> str:
        return str(RiskLevel(risk.level_at()).label)

    @admin.display(description=gettext_lazy("merchant"))
    def merchant_link(self, risk: MerchantRisk) -> str:
        return admin_link(risk.merchant)

    @admin.display(description=gettext_lazy("rating"))
    def panel(self, risk: MerchantRisk) -> str:
        return rating_panel(risk.merchant)

    @admin.action(description=gettext_lazy("Rate again now"), permissions=["view"])
    def rate_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = list(queryset.values_list("merchant_id", flat=True))
        trigger = f"admin:{request.user.get_username()}"
        summary = rate_merchants(merchants=Merchant.objects.filter(pk__in=ids), trigger=trigger)
        self.message_user(
            request,
            _("%(rated)d rated, %(changed)d changes of level.")
            % {"rated": summary.rated, "changed": summary.changed},
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/override/",
                self.admin_site.admin_view(self.override_view),
                name="merchants_merchantrisk_override",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        extra = {"can_override": request.user.has_perm(OVERRIDE_PERMISSION)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def override_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Set or end an override; only a compliance lead (the service checks it too)."""
        if not request.user.has_perm(OVERRIDE_PERMISSION):
            raise PermissionDenied
        risk = get_object_or_404(MerchantRisk.objects.select_related("merchant"), pk=pk)
        clearing = request.method == "POST" and "clear" in request.POST
        data = request.POST if request.method == "POST" else None
        form = OverrideForm(None if clearing else data, initial={"level": risk.computed_level})
        clear = ClearOverrideForm(data if clearing else None)
        bound = clear if clearing else form
        if request.method == "POST" and bound.is_valid():
            try:
                if clearing:
                    risk_override_clear(
                        merchant=risk.merchant, actor=request.user, **clear.cleaned_data
                    )
                else:
                    risk_override(merchant=risk.merchant, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_errors(bound, exc)
            else:
                self.message_user(request, _("The risk level was changed."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:merchants_merchantrisk_change", args=[risk.pk])
                )
        return TemplateResponse(
            request,
            "admin/merchants/risk_override.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Override the risk level of %(merchant)s") % {"merchant": risk.merchant},
                "risk": risk,
                "form": form,
                "clear_form": clear,
                "overridden": risk.override_applies(),
                "opts": self.model._meta,
            },
        )


@admin.register(RiskLevelChange)
class RiskLevelChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "merchant",
        "from_level",
        "to_level",
        "cause",
        "trigger",
        "actor",
        "score",
    )
    list_filter = ("cause", "to_level")
    search_fields = ("merchant__legal_name", "merchant__short_name", "merchant__mid", "reason")
    list_select_related = ("merchant", "actor")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "created_at",
        "merchant",
        "from_level",
        "to_level",
        "cause",
        "trigger",
        "actor",
        "reason",
        "expires_at",
        "score",
        "factors_table",
    )

    @admin.display(description=gettext_lazy("factors then"))
    def factors_table(self, change: RiskLevelChange) -> str:
        return render_to_string(
            "admin/merchants/risk_factors.html",
            {"factors": factors_read(change)},
        )
