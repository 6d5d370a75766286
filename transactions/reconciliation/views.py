"""The merchant's reconciliation pages: its settlement files, and its share of every run."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from merchants.members.access import merchant_required
from merchants.models import Merchant
from portal.common.exports import stream_csv
from transactions.models import Outcome, ReconciliationRun, SettlementFile
from transactions.reconciliation import results
from transactions.reconciliation.forms import SettlementUploadForm
from transactions.reconciliation.services import settlement_file_create

ROWS_SHOWN = 500


def _merchant(request: HttpRequest) -> Merchant:
    return request.membership.merchant  # type: ignore[attr-defined]


def _own_run(request: HttpRequest, pk: int) -> ReconciliationRun:
    return get_object_or_404(results.runs_for_merchant(_merchant(request)), pk=pk)


def _own_file(request: HttpRequest, pk: int) -> SettlementFile:
    return get_object_or_404(SettlementFile, pk=pk, merchant=_merchant(request))


@merchant_required()
def recon_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = SettlementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not membership.can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                settlement = settlement_file_create(
                    acquirer=form.cleaned_data["acquirer"],
                    upload=form.cleaned_data["file"],
                    actor=request.user,
                    merchant=membership.merchant,
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("Settlement file received; it is being imported."))
                return redirect("transactions:recon_file", pk=settlement.pk)
    context = {
        "form": form,
        "files": results.files_for_merchant(membership.merchant)[:50],
        "runs": results.runs_for_merchant(membership.merchant)[:50],
    }
    return render(request, "transactions/recon_list.html", context)


@merchant_required()
def recon_file(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = _own_file(request, pk)
    template = (
        "transactions/partials/recon_progress.html"
        if request.htmx  # type: ignore[attr-defined]
        else "transactions/recon_file.html"
    )
    context = {
        "settlement": settlement,
        "errors": settlement.line_errors.all()[:ROWS_SHOWN],
        "run": settlement.runs.first(),
    }
    return render(request, template, context)


@merchant_required()
def recon_file_errors(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = _own_file(request, pk)
    rows = (
        (e.line_no, "; ".join(f"{k}: {' '.join(v)}" for k, v in e.errors.items()))
        for e in settlement.line_errors.iterator(chunk_size=2000)
    )
    return stream_csv(f"settlement-{settlement.pk}-errors.csv", [_("line"), _("reasons")], rows)


@merchant_required()
def recon_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _own_run(request, pk)
    merchant = _merchant(request)
    days = results.totals_by_day(run, merchant)
    context = {
        "run": run,
        "days": days,
        "not_in_file": sum(1 for day in days if day.count(Outcome.MERCHANT_NOT_IN_FILE)),
        "items": results.differences(run, merchant)[:ROWS_SHOWN],
    }
    return render(request, "transactions/recon_run.html", context)


@merchant_required()
def recon_run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = _own_run(request, pk)
    items = results.differences(run, _merchant(request))
    return stream_csv(f"reconciliation-{run.pk}.csv", results.csv_header(), results.csv_rows(items))
