"""The merchant's inspections: its dates, the photos asked for and their upload; and the photo
view every inspection photo is served through (to staff and to the merchant's own members).

Thin: the services decide who may hand photos in and check every file.
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
from merchants.models import Inspection, InspectionPhoto
from merchants.risk.inspections.forms import MerchantPhotosForm
from merchants.risk.inspections.selectors import (
    inspection_dates,
    inspections_of,
    photo_visible_to,
)
from merchants.risk.inspections.services import photo_request_submit
from portal.common.downloads import private_download
from portal.common.forms import form_add_errors


def _page(request: HttpRequest, form: MerchantPhotosForm | None, status: int = 200) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    merchant = membership.merchant
    dates = inspection_dates(merchant)
    can_upload = membership.can_edit and bool(dates.photo_requests)
    return render(
        request,
        "merchants/inspections.html",
        {
            "merchant": merchant,
            "dates": dates,
            "inspections": inspections_of(merchant).prefetch_related("photos")[:20],
            "form": (form or MerchantPhotosForm()) if can_upload else None,
        },
        status=status,
    )


@merchant_required()
def inspection_list(request: HttpRequest) -> HttpResponse:
    return _page(request, None)


@merchant_required(edit=True)
@require_POST
def photos_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand in photos for the merchant's own photo request (another merchant's is a 404)."""
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    inspection = get_object_or_404(Inspection, pk=pk, merchant=merchant)
    form = MerchantPhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photo_request_submit(
                inspection=inspection, actor=request.user, uploads=form.cleaned_data["photos"]
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Not about a file (the request is not waiting): said above the page, which may
                # have no form to put it on.
                messages.error(request, " ".join(exc.messages))
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Photos handed in. Compliance will review them."))
            return redirect("merchants:inspections")
    return _page(request, form, status=400)


@login_required
def photo_download(request: HttpRequest, pk: int) -> FileResponse:
    """Staff who may see inspections see every photo; a merchant's members, their own uploads."""
    photo = get_object_or_404(InspectionPhoto.objects.select_related("inspection"), pk=pk)
    if not photo_visible_to(photo, request.user, request.membership):  # type: ignore[attr-defined]
        raise Http404
    return private_download(
        photo.file, filename=photo.original_name, content_type=photo.content_type
    )
