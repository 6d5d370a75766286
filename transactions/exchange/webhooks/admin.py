"""Webhooks in admin: staff register the acquirer's endpoints (and see every merchant's), rotate
secrets, enable, send test events; the deliveries are a read-only log that can be sent again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyAdmin, ReadOnlyInline, TrailAdmin, admin_link
from transactions.exchange.webhooks import services
from transactions.exchange.webhooks.forms import event_choices
from transactions.models import EndpointStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

SECRET_PAGE = "admin/transactions/webhookendpoint/secret.html"


class EndpointAdminForm(forms.ModelForm):
    url = forms.CharField(label=gettext_lazy("URL"), max_length=500)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=event_choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "merchant", "description", "events"]

    def clean_url(self) -> str:
        return services.clean_url(self.cleaned_data["url"])

    def clean_events(self) -> list[str]:
        return services.clean_events(self.cleaned_data["events"])


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TrailAdmin):
    form = EndpointAdminForm
    list_display = ("url", "merchant", "status", "consecutive_failures", "created_at")
    list_filter = ("status", ("merchant", admin.EmptyFieldListFilter))
    search_fields = ("url", "description", "merchant__mid", "merchant__short_name")
    readonly_fields = ("status", "disabled_at", "disabled_reason", "consecutive_failures")
    autocomplete_fields = ("merchant",)
    actions = ["rotate_secret", "enable", "disable", "send_test_event"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.endpoint_update(
                endpoint=obj,
                url=data["url"],
                events=data["events"],
                description=data["description"],
                actor=request.user,
            )
            return
        endpoint, secret = services.endpoint_create(
            merchant=data["merchant"],
            url=data["url"],
            events=data["events"],
            description=data["description"],
            actor=request.user,
        )
        obj.pk, obj._new_secret = endpoint.pk, secret

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        """Through the service, so the history row says who deleted it."""
        services.endpoint_delete(endpoint=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            services.endpoint_delete(endpoint=endpoint, actor=request.user)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        return self._secret_page(request, obj, obj._new_secret)

    def _secret_page(self, request: HttpRequest, endpoint: Any, secret: str) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "endpoint": endpoint, "secret": secret}
        context["opts"] = self.model._meta
        return TemplateResponse(request, SECRET_PAGE, context)

    @admin.action(
        description=gettext_lazy("Rotate the signing secret (one endpoint)"), permissions=["change"]
    )
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one endpoint."), messages.ERROR)
            return None
        endpoint = queryset.get()
        secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
        return self._secret_page(request, endpoint, secret)

    @admin.action(description=gettext_lazy("Enable again"), permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            services.endpoint_enable(endpoint=endpoint, actor=request.user)
        self.message_user(request, _("Enabled."), messages.SUCCESS)

    @admin.action(description=gettext_lazy("Disable (stop sending)"), permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for endpoint in queryset.filter(status=EndpointStatus.ACTIVE):
            services.endpoint_disable(endpoint=endpoint, actor=request.user)
            done += 1
        self.message_user(request, _("Disabled: %(count)d.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Send a test event"), permissions=["change"])
    def send_test_event(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset:
            try:
                services.endpoint_ping(endpoint=endpoint, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{endpoint}: {' '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, _("Test events queued."), messages.SUCCESS)


class AttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ("number", "started_at", "status_code", "response_ms", "error", "succeeded", "manual")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "event_type", "endpoint", "status", "attempts", "created_at")
    list_filter = ("status", "event__event_type")
    search_fields = ("endpoint__url",)
    list_select_related = ("event", "endpoint")
    readonly_fields = ("event_id", "event_type", "endpoint_link", "status", "attempts")
    fields = (*readonly_fields, "next_attempt_at", "retry_until", "last_status_code", "last_error")
    inlines = [AttemptInline]
    actions = ["redeliver"]

    @admin.display(description=gettext_lazy("Event id"))
    def event_id(self, obj: WebhookDelivery) -> str:
        return obj.event.public_id

    @admin.display(description=gettext_lazy("Event"))
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.event_type

    @admin.display(description=gettext_lazy("Endpoint"))
    def endpoint_link(self, obj: WebhookDelivery) -> str:
        return admin_link(obj.endpoint)

    @admin.action(
        description=gettext_lazy("Send again (same event id)"),
        permissions=["redeliver"],
    )
    def redeliver(self, request: HttpRequest, queryset: QuerySet) -> None:
        sent = 0
        for delivery in queryset.select_related("endpoint"):
            try:
                services.delivery_redeliver(delivery=delivery, actor=request.user)
                sent += 1
            except ValidationError as exc:
                self.message_user(request, f"{delivery}: {' '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, _("%(n)s queued again.") % {"n": sent}, messages.SUCCESS)

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.redeliver_webhook")
