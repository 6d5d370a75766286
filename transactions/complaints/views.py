"""The merchant's complaints: the list, one complaint with its trail and evidence, the answer.

Scoped to the signed-in merchant: another merchant's complaint is a 404. The complainant's name
and contact are never shown here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from merchants.members.access import merchant_required
from transactions.complaints.downloads import serve_evidence
from transactions.complaints.forms import ComplaintAnswerForm
from transactions.complaints.services import (
    complaint_answer,
    complaint_counts_for_merchant,
    complaint_trail_for_merchant,
)
from transactions.complaints.workflow import COMPLAINT
from transactions.models import Complaint, ComplaintEvidence, ComplaintStatus

PAGE_SIZE = 25
# Errors of the answer service, by the form field that caused them; others mean "not now".
ANSWER_FIELD = {"empty": "text", "file_type": "attachment", "file_too_large": "attachment"}


def _own(request: HttpRequest, pk: int) -> Complaint:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    return get_object_or_404(
        Complaint.objects.select_related("report", "reason"), pk=pk, merchant=merchant
    )


@merchant_required()
def complaint_list(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    complaints = Complaint.objects.for_merchant(merchant).select_related("report", "reason")
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "transactions/complaint_list.html",
        {"page": page, "counts": complaint_counts_for_merchant(merchant=merchant)},
    )


@merchant_required()
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The complaint as the merchant may see it; owners and staff answer here when asked."""
    complaint = _own(request, pk)
    can_answer = COMPLAINT["merchant_answer"] in COMPLAINT.available(complaint, request.user)
    form = ComplaintAnswerForm() if can_answer else None
    if request.method == "POST":
        if not request.membership.can_edit:  # type: ignore[attr-defined]
            raise PermissionDenied
        if not can_answer:
            messages.error(request, _("This complaint cannot be answered now."))
            return redirect("transactions:complaint_detail", pk=complaint.pk)
        form = ComplaintAnswerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                complaint_answer(
                    complaint=complaint,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    attachment=form.cleaned_data["attachment"],
                )
            except ValidationError as exc:
                if not _field_errors(form, exc):  # the complaint moved on meanwhile
                    messages.error(request, " ".join(exc.messages))
                    return redirect("transactions:complaint_detail", pk=complaint.pk)
            else:
                messages.success(request, _("Your answer was sent to compliance."))
                return redirect("transactions:complaint_detail", pk=complaint.pk)
    return render(
        request,
        "transactions/complaint_detail.html",
        {
            "complaint": complaint,
            "report": complaint.report,
            "trail": complaint_trail_for_merchant(complaint=complaint),
            "evidence": complaint.evidence.select_related("uploaded_by"),
            "form": form,
            "waiting": complaint.status == ComplaintStatus.AWAITING_MERCHANT,
        },
    )


def _field_errors(form: ComplaintAnswerForm, exc: ValidationError) -> bool:
    """Put the service's errors on the form's fields; False if one is not about a field."""
    errors = exc.error_dict.get("attachment", []) if hasattr(exc, "error_dict") else exc.error_list
    fields = [ANSWER_FIELD.get(error.code or "") for error in errors]
    if not errors or None in fields:
        return False
    for field, error in zip(fields, errors, strict=True):
        form.add_error(field, error)
    return True


@login_required
def complaint_evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Evidence is served only to the complaint's merchant and to compliance staff."""
    evidence = get_object_or_404(
        ComplaintEvidence.objects.select_related("complaint"), pk=evidence_pk, complaint_id=pk
    )
    membership = request.membership  # type: ignore[attr-defined]
    own = bool(membership) and membership.merchant_id == evidence.complaint.merchant_id
    if not own and not request.user.has_perm("transactions.view_complaintevidence"):
        raise Http404
    return serve_evidence(evidence)
