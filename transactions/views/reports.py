"""The merchant's reports: the latest list, one report, and manual entry."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from merchants.access import merchant_required

from ..forms import AmendmentForm, ManualReportForm
from ..models import Report
from ..selectors import active_holds_for_report, reports_with_hold
from ..services.amendments import report_amend
from ..services.manual import report_enter_manually

# Maps errors of wire fields to the form fields that produced them.
FORM_FIELD = {"masked_pan": "card_last4", "occurred_at": "occurred_at", "amount": "amount"}


@merchant_required()
def report_list(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    reports = reports_with_hold(Report.objects.for_merchant(merchant).select_related("terminal"))
    reports = reports[:100]
    return render(request, "transactions/report_list.html", {"reports": reports})


@merchant_required()
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    report = get_object_or_404(
        Report.objects.select_related("terminal"), pk=pk, merchant=membership.merchant
    )
    form = AmendmentForm(request.POST or None) if membership.can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_amend(
                    report=report,
                    actor=request.user,
                    reason=data["reason"],
                    changes={data["field"]: data["value"]},
                )
            except ValidationError as exc:
                target = "reason" if "reason" in exc.message_dict else "value"
                for field_messages in exc.message_dict.values():
                    for message in field_messages:
                        form.add_error(target, message)
            else:
                messages.success(request, _("Correction recorded."))
                return redirect("transactions:report_detail", pk=report.pk)
    return render(
        request,
        "transactions/report_detail.html",
        {
            "report": report,
            "amendments": report.amendments.select_related("created_by"),
            "holds": active_holds_for_report(report=report),
            "form": form,
        },
    )


@merchant_required(edit=True)
def report_new(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    form = ManualReportForm(request.POST or None, merchant=merchant)
    if request.method == "POST" and form.is_valid():
        try:
            report, errors = report_enter_manually(
                merchant=merchant,
                terminal=form.cleaned_data["terminal"],
                raw=form.wire_report(merchant),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if report is not None:
                messages.success(request, _("Report stored."))
                return redirect("transactions:report_detail", pk=report.pk)
            for field, field_errors in errors.items():
                target = field if field in form.fields else FORM_FIELD.get(field)
                for error in field_errors:
                    form.add_error(target, str(error))
    return render(request, "transactions/report_new.html", {"form": form})
