"""Sign-up and the merchant's onboarding application: thin adapters over the services."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.accounts.mail import preferences_set, supported
from merchants.members.access import merchant_required
from merchants.models import MerchantDocument
from merchants.onboarding.forms import ApplicationForm, DocumentForm, SignupForm
from merchants.onboarding.selectors import application_history, application_missing_items
from merchants.onboarding.services import (
    application_transition,
    application_update,
    document_add,
    merchant_signup,
)
from merchants.onboarding.workflow import APPLICATION
from portal.common.downloads import private_download


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, _merchant = merchant_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        # The portal writes to them in the language they signed up in (changeable under Account).
        preferences_set(user=user, language=supported(translation.get_language()))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Fill in your onboarding application to get started."))
        return redirect("merchants:application")
    return render(request, "registration/signup.html", {"form": form})


@merchant_required()
def overview(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    return render(
        request,
        "merchants/overview.html",
        {
            "merchant": merchant,
            "missing": application_missing_items(merchant) if merchant.is_editable else [],
            "history": application_history(merchant),
            "can_submit": any(
                t.name in ("submit", "resubmit")
                for t in APPLICATION.available(merchant, request.user)
            ),
        },
    )


@merchant_required()
def application(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    merchant = membership.merchant
    editable = merchant.is_editable and membership.can_edit
    form = ApplicationForm(request.POST or None, instance=merchant) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                application_update(merchant=merchant, actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Application saved."))
                return redirect("merchants:application")
    return render(
        request,
        "merchants/application.html",
        {
            "merchant": merchant,
            "form": form,
            "document_form": DocumentForm() if editable else None,
            "documents": merchant.documents.all(),
            "missing": application_missing_items(merchant) if merchant.is_editable else [],
        },
    )


@merchant_required(edit=True)
@require_POST
def document_upload(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_add(
                merchant=merchant,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Document uploaded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("merchants:application")


@merchant_required(edit=True)
@require_POST
def application_submit(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    name = "resubmit" if merchant.status == "info_requested" else "submit"
    try:
        application_transition(merchant=merchant, name=name, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("merchants:application")
    messages.success(request, _("Application submitted. Compliance will review it shortly."))
    return redirect("merchants:overview")


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """Licence and ID scans are served only to their merchant's users and to compliance staff."""
    document = get_object_or_404(MerchantDocument, pk=pk)
    membership = request.membership  # type: ignore[attr-defined]
    own = bool(membership) and membership.merchant_id == document.merchant_id
    if not own and not request.user.has_perm("merchants.view_merchantdocument"):
        raise Http404
    return private_download(
        document.file, filename=document.original_name, content_type=document.content_type
    )
