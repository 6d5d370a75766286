"""The merchant's change requests: list, ask, follow, add documents, resubmit or withdraw.

Thin: the services decide who may do what (only the owner asks) and check every value.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.members.access import merchant_required
from merchants.models import ChangeKind, ChangeRequest, ChangeRequestDocument, ChangeStatus
from merchants.risk.changes.forms import ChangeDocumentForm, ChangeRequestForm, NoteForm
from merchants.risk.changes.selectors import (
    change_rows,
    change_steps,
    change_summary,
    changes_of,
    open_kinds,
)
from merchants.risk.changes.services import (
    change_document_add,
    change_request_create,
    change_request_transition,
)
from portal.common.downloads import private_download


def _own_change(request: HttpRequest, pk: int) -> ChangeRequest:
    return get_object_or_404(ChangeRequest, pk=pk, merchant=request.membership.merchant)  # type: ignore[attr-defined]


@merchant_required()
def change_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    merchant = membership.merchant
    busy = open_kinds(merchant)
    changes = list(changes_of(merchant))
    return render(
        request,
        "merchants/change_list.html",
        {
            "merchant": merchant,
            "can_request": merchant.is_approved and membership.can_manage,
            "kinds": [(value, label, value in busy) for value, label in ChangeKind.choices],
            "pending": [(c, change_summary(c)) for c in changes if c.is_open],
            "decided": [(c, change_summary(c)) for c in changes if not c.is_open],
        },
    )


@merchant_required(manage=True)
def change_new(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in ChangeKind.values:
        raise Http404
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    if not merchant.is_approved:
        messages.error(request, _("Until the merchant is approved, change the application itself."))
        return redirect("merchants:application")
    form = ChangeRequestForm(
        request.POST or None, request.FILES or None, kind=kind, merchant=merchant
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                change = change_request_create(
                    merchant=merchant,
                    actor=request.user,
                    kind=kind,
                    data=data,
                    reason=data["reason"],
                    contact_phone=data["contact_phone"],
                    documents=data["documents"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Change request handed in. What is on file stays in force until approval."),
                )
                return redirect("merchants:change_detail", pk=change.pk)
        status = 400
    return render(
        request,
        "merchants/change_new.html",
        {"form": form, "kind_label": ChangeKind(kind).label, "merchant": merchant},
        status=status,
    )


@merchant_required()
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = _own_change(request, pk)
    owner = request.membership.can_manage  # type: ignore[attr-defined]
    asked = change.status == ChangeStatus.INFO_REQUESTED
    return render(
        request,
        "merchants/change_detail.html",
        {
            "change": change,
            "rows": change_rows(change),
            "steps": change_steps(change),
            "documents": change.documents.all(),
            "document_form": ChangeDocumentForm() if owner and asked else None,
            "note_form": NoteForm() if owner and change.is_open else None,
            "can_resubmit": owner and asked,
        },
    )


@merchant_required(manage=True)
@require_POST
def change_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    change = _own_change(request, pk)
    form = ChangeDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            change_document_add(change=change, actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Document uploaded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("merchants:change_detail", pk=change.pk)


@merchant_required(manage=True)
@require_POST
def change_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in ("resubmit", "withdraw"):
        raise Http404
    change = _own_change(request, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        change_request_transition(change=change, name=name, actor=request.user, reason=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Request handed in again.") if name == "resubmit" else _("Request withdrawn."),
        )
    return redirect("merchants:change_detail", pk=change.pk)


@login_required
def change_document_download(request: HttpRequest, pk: int) -> FileResponse:
    """Served only to the merchant's own users and to staff who may see change requests."""
    document = get_object_or_404(ChangeRequestDocument.objects.select_related("change"), pk=pk)
    membership = request.membership  # type: ignore[attr-defined]
    own = bool(membership) and membership.merchant_id == document.change.merchant_id
    if not own and not request.user.has_perm("merchants.view_changerequestdocument"):
        raise Http404
    return private_download(
        document.file, filename=document.original_name, content_type=document.content_type
    )
