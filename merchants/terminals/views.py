"""The merchant's terminals: list, register, detail with its trail, and its API key."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.members.access import merchant_required
from merchants.models import Terminal
from merchants.terminals.forms import TerminalForm
from merchants.terminals.selectors import terminals_for_merchant
from merchants.terminals.services import terminal_key_issue, terminal_key_revoke, terminal_register


def _own_terminal(request: HttpRequest, pk: int) -> Terminal:
    return get_object_or_404(Terminal, pk=pk, merchant=request.membership.merchant)  # type: ignore[attr-defined]


@merchant_required()
def terminal_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    merchant = membership.merchant
    can_register = merchant.is_approved and membership.can_edit
    form = TerminalForm(request.POST or None) if can_register else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                terminal = terminal_register(
                    merchant=merchant, actor=request.user, data=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Terminal %(serial)s registered. Compliance will assign its TID.")
                    % {"serial": terminal.serial_number},
                )
                return redirect("merchants:terminal_detail", pk=terminal.pk)
    return render(
        request,
        "merchants/terminal_list.html",
        {"terminals": terminals_for_merchant(merchant), "form": form, "merchant": merchant},
    )


@merchant_required()
def terminal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    terminal = _own_terminal(request, pk)
    return render(request, "merchants/terminal_detail.html", _detail_context(request, terminal))


def _detail_context(request: HttpRequest, terminal: Terminal, **extra: object) -> dict:
    return {
        "terminal": terminal,
        "transitions": terminal.transitions.select_related("actor"),
        "keys": terminal.keys.all(),
        "can_manage_keys": request.membership.can_manage and terminal.tid is not None,  # type: ignore[attr-defined]
        **extra,
    }


@merchant_required(manage=True)
@require_POST
def terminal_key_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a new key; the secret is rendered in this response only, never stored in plain."""
    terminal = _own_terminal(request, pk)
    try:
        key, secret = terminal_key_issue(terminal=terminal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("merchants:terminal_detail", pk=terminal.pk)
    response = render(
        request,
        "merchants/terminal_detail.html",
        _detail_context(request, terminal, new_key=key, new_secret=secret),
    )
    response["Cache-Control"] = "no-store"
    return response


@merchant_required(manage=True)
@require_POST
def terminal_key_revoke_view(request: HttpRequest, pk: int, key_pk: int) -> HttpResponse:
    terminal = _own_terminal(request, pk)
    key = get_object_or_404(terminal.keys, pk=key_pk)
    terminal_key_revoke(key=key, actor=request.user)
    messages.success(request, _("Key %(key)s revoked.") % {"key": key.key_id})
    return redirect("merchants:terminal_detail", pk=terminal.pk)
