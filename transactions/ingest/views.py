"""Batch files: upload, watch the progress, read and download the row-by-row result."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from merchants.members.access import merchant_required
from portal.common.exports import stream_csv
from transactions.ingest.forms import UploadForm
from transactions.ingest.uploads import upload_create
from transactions.models import ReportUpload, RowOutcome


def _own_upload(request: HttpRequest, pk: int) -> ReportUpload:
    return get_object_or_404(ReportUpload, pk=pk, merchant=request.membership.merchant)  # type: ignore[attr-defined]


@merchant_required()
def upload_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not membership.can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                upload = upload_create(
                    merchant=membership.merchant,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("File received; it is being processed."))
                return redirect("transactions:upload_detail", pk=upload.pk)
    uploads = ReportUpload.objects.filter(merchant=membership.merchant)[:50]
    return render(request, "transactions/upload_list.html", {"form": form, "uploads": uploads})


@merchant_required()
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _own_upload(request, pk)
    # htmx polls the progress partial every second until the file is finished.
    template = (
        "transactions/partials/upload_progress.html"
        if request.htmx  # type: ignore[attr-defined]
        else "transactions/upload_detail.html"
    )
    rows = (
        upload.row_results.exclude(outcome=RowOutcome.ACCEPTED)[:500] if upload.is_finished else []
    )
    return render(request, template, {"upload": upload, "rows": rows})


@merchant_required()
def upload_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _own_upload(request, pk)
    rows = (
        (
            r.line,
            r.report_id,
            r.get_outcome_display(),
            "; ".join(f"{k}: {' '.join(v)}" for k, v in r.errors.items()),
        )
        for r in upload.row_results.iterator(chunk_size=2000)
    )
    return stream_csv(
        f"upload-{upload.pk}-results.csv",
        [_("line"), "report_id", _("outcome"), _("reasons")],
        rows,
    )
