"""The merchant owner's webhook pages: endpoints, their secret (shown once) and delivery log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.members.access import merchant_required
from transactions.exchange.webhooks import selectors, services
from transactions.exchange.webhooks.forms import EndpointForm
from transactions.models import WebhookDelivery, WebhookEndpoint

DETAIL = "transactions/exchange/webhook_detail.html"


def _own(request: HttpRequest, pk: int) -> WebhookEndpoint:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    return get_object_or_404(selectors.endpoints_for_merchant(merchant), pk=pk)


def _detail(
    request: HttpRequest, endpoint: WebhookEndpoint, *, form: Any = None, secret: str = ""
) -> HttpResponse:
    form = form or EndpointForm(
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
        }
    )
    context = {
        "endpoint": endpoint,
        "form": form,
        "new_secret": secret,
        "deliveries": selectors.deliveries_of(endpoint),
    }
    return render(request, DETAIL, context, status=400 if form.errors else 200)


@merchant_required(manage=True)
def webhook_list(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                merchant=merchant, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _detail(request, endpoint, secret=secret)
    context = {"form": form, "endpoints": selectors.endpoints_for_merchant(merchant)}
    status = 400 if form.errors else 200
    return render(request, "transactions/exchange/webhook_list.html", context, status=status)


@merchant_required(manage=True)
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    if request.method != "POST":
        return _detail(request, endpoint)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("transactions:webhook_detail", pk=endpoint.pk)
    endpoint.refresh_from_db()
    return _detail(request, endpoint, form=form)


@merchant_required(manage=True)
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return _detail(request, endpoint, secret=secret)


@merchant_required(manage=True)
@require_POST
def webhook_disable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    try:
        services.endpoint_disable(endpoint=endpoint, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Endpoint disabled: no events are sent to it."))
    return redirect("transactions:webhook_detail", pk=endpoint.pk)


@merchant_required(manage=True)
@require_POST
def webhook_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    services.endpoint_enable(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Endpoint enabled."))
    return redirect("transactions:webhook_detail", pk=endpoint.pk)


@merchant_required(manage=True)
@require_POST
def webhook_ping(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    try:
        services.endpoint_ping(endpoint=endpoint, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Test event queued."))
    return redirect("transactions:webhook_detail", pk=endpoint.pk)


@merchant_required(manage=True)
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Endpoint deleted."))
    return redirect("transactions:webhooks")


@merchant_required(manage=True)
@require_POST
def webhook_redeliver(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = _own(request, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, endpoint=endpoint)
    try:
        services.delivery_redeliver(delivery=delivery, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Delivery queued again, with the same event id."))
    return redirect("transactions:webhook_detail", pk=endpoint.pk)
