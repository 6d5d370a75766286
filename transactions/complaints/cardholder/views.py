"""The cardholder's public pages: check a charge, complain, follow the complaint.

Thin adapters: the forms validate, the services count, log, match and write. The matched charge
travels as a signed token; the tracking code is posted (or followed from the e-mailed link).
Nothing here tells "no such charge" from "several charges", or "wrong code" from "expired code".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.common.forms import form_add_errors
from transactions.complaints.cardholder.forms import (
    AddInformationForm,
    ComplaintForm,
    ContactForm,
    LookupForm,
    TrackForm,
    WithdrawForm,
)
from transactions.complaints.cardholder.lookup import charge_summary
from transactions.complaints.cardholder.services import (
    Throttled,
    cardholder_add_information,
    cardholder_complaint_submit,
    cardholder_withdraw,
    charge_check,
    complaint_proof_request,
    tracking_open,
)
from transactions.complaints.cardholder.status import plain_status
from transactions.complaints.cardholder.tokens import charge_from_token, charge_token
from transactions.complaints.services import ensure_reasons
from transactions.models import Complaint, EvidenceSide


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "cardholder/too_many.html", status=429)


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "cardholder/expired.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """What is on the slip → the one matching charge, or the neutral answer."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            report = charge_check(
                address=_address(request),
                occurred_at=data["occurred_at"],
                amount=data["amount"],
                last4=data["last4"],
                order_no=data["order_no"],
                tid=data["tid"],
                merchant_name=data["merchant_name"],
            )
        except Throttled:
            return _too_many(request)
        if report is None:
            return render(request, "cardholder/neutral.html")
        return render(
            request,
            "cardholder/charge.html",
            {"charge": charge_summary(report), "token": charge_token(report)},
        )
    status = 400 if form.is_bound else 200
    return render(request, "cardholder/lookup.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def complain(request: HttpRequest, token: str) -> HttpResponse:
    """Step 1 of a complaint: where to send the proof code. Step 2's form follows the code."""
    report = charge_from_token(token)
    if report is None:
        return _expired(request)
    context = {"charge": charge_summary(report), "token": token}
    form = ContactForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            ticket = complaint_proof_request(
                report=report,
                contact=form.contact(language=translation.get_language()),
                address=_address(request),
            )
        except Throttled:
            return _too_many(request)
        ensure_reasons()
        return render(
            request,
            "cardholder/complaint.html",
            {**context, "form": ComplaintForm(initial={"ticket": ticket}), "sent": True},
        )
    status = 400 if form.is_bound else 200
    return render(request, "cardholder/contact.html", {**context, "form": form}, status=status)


@never_cache
@require_POST
def complain_submit(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: the code, the reason, the description and the evidence → the complaint."""
    report = charge_from_token(token)
    if report is None:
        return _expired(request)
    form = ComplaintForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            submitted = cardholder_complaint_submit(
                report=report,
                reason=data["reason"],
                description=data["description"],
                ticket=data["ticket"],
                code=data["code"],
                evidence=data["evidence"],
                link_base=request.build_absolute_uri(reverse("cardholder:track")),
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            return render(
                request,
                "cardholder/done.html",
                {"complaint": submitted.complaint, "code": submitted.tracking_code},
            )
    return render(
        request,
        "cardholder/complaint.html",
        {"charge": charge_summary(report), "token": token, "form": form},
        status=400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Enter the tracking code; with it, the complaint's page (and its add / withdraw forms)."""
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            return _tracking_page(request, form.cleaned_data["code"])
        return render(request, "cardholder/track.html", {"form": form}, status=400)
    return render(request, "cardholder/track.html", {"form": TrackForm()})


@never_cache
@require_GET
def track_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link from the e-mail or SMS."""
    return _tracking_page(request, code)


def _tracking_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        complaint = tracking_open(code=code, address=_address(request))
    except Throttled:
        return _too_many(request)
    if complaint is None:
        return render(request, "cardholder/track_neutral.html", status=404)
    add_form, withdraw_form, notice, status = AddInformationForm(), WithdrawForm(), "", 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "add":
        add_form = AddInformationForm(request.POST, request.FILES)
        if add_form.is_valid():
            try:
                cardholder_add_information(
                    complaint=complaint,
                    text=add_form.cleaned_data["text"],
                    attachment=add_form.cleaned_data["attachment"],
                )
            except ValidationError as exc:
                form_add_errors(add_form, exc)
            else:
                add_form, notice = AddInformationForm(), _("Thank you: your information was added.")
        status = 200 if notice else 400
    elif action == "withdraw":
        withdraw_form = WithdrawForm(request.POST)
        if withdraw_form.is_valid():
            try:
                complaint = cardholder_withdraw(
                    complaint=complaint, reason=withdraw_form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form_add_errors(withdraw_form, exc)
            else:
                notice = _("Your complaint was withdrawn.")
        status = 200 if notice else 400
    return render(
        request,
        "cardholder/track_detail.html",
        _tracking_context(complaint, code, add_form, withdraw_form, notice),
        status=status,
    )


def _tracking_context(
    complaint: Complaint, code: str, add_form: Any, withdraw_form: Any, notice: str
) -> dict[str, Any]:
    return {
        "status": plain_status(complaint),
        "charge": charge_summary(complaint.report),
        "code": code,
        "added": complaint.evidence.filter(side=EvidenceSide.CARDHOLDER),
        "add_form": add_form,
        "withdraw_form": withdraw_form,
        "notice": notice,
    }
