"""The merchant's alerts: the list, one alert with its trail and holds, the answer, the evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from merchants.members.access import merchant_required
from portal.common.downloads import private_download
from portal.common.validators import sniff_document_type
from transactions.alerts.forms import AlertAnswerForm
from transactions.alerts.selectors import (
    ALERT_STATES,
    alert_question,
    alert_reports,
    alert_trail_for_merchant,
    alerts_for_merchant,
)
from transactions.alerts.services import alert_answer
from transactions.alerts.workflow import ALERT
from transactions.models import Alert, AlertResponse
from transactions.reports.selectors import active_holds_for_merchant, holds_for_alert

PAGE_SIZE = 25
REPORTS_SHOWN = 100
# Errors of the answer service, by the form field that caused them; others mean "not now".
ANSWER_FIELD = {"empty": "text", "file_type": "attachment", "file_too_large": "attachment"}


def _own_alert(request: HttpRequest, pk: int) -> Alert:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    return get_object_or_404(
        Alert.objects.for_merchant(merchant).select_related("rule", "terminal"), pk=pk
    )


def _can_answer(alert: Alert, user: object) -> bool:
    return ALERT["merchant_answer"] in ALERT.available(alert, user)


def _not_answerable(alert: Alert) -> str:
    return _("This alert cannot be answered now (status: %(status)s).") % {
        "status": alert.get_status_display()
    }


@merchant_required()
def alert_list(request: HttpRequest) -> HttpResponse:
    merchant = request.membership.merchant  # type: ignore[attr-defined]
    state = request.GET.get("state", "")
    state = state if state in ALERT_STATES else ""
    page = Paginator(alerts_for_merchant(merchant=merchant, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "transactions/alert_list.html",
        {"page": page, "state": state, "holds": active_holds_for_merchant(merchant=merchant)},
    )


@merchant_required()
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The alert as the merchant may see it; owners and staff answer it here when it asks for it."""
    alert = _own_alert(request, pk)
    can_answer = _can_answer(alert, request.user)
    form = AlertAnswerForm() if can_answer else None
    if request.method == "POST":
        if not request.membership.can_edit:  # type: ignore[attr-defined]
            raise PermissionDenied
        if not can_answer:
            messages.error(request, _not_answerable(alert))
            return redirect("transactions:alert_detail", pk=alert.pk)
        form = AlertAnswerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                alert_answer(
                    alert=alert,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    attachment=form.cleaned_data["attachment"],
                )
            except ValidationError as exc:
                fields = {ANSWER_FIELD.get(error.code or "") for error in exc.error_list}
                if None in fields:  # the alert moved on meanwhile
                    messages.error(request, " ".join(exc.messages))
                    return redirect("transactions:alert_detail", pk=alert.pk)
                for error in exc.error_list:
                    form.add_error(ANSWER_FIELD[error.code or ""], error)
            else:
                messages.success(request, _("Your answer was sent to compliance."))
                return redirect("transactions:alert_detail", pk=alert.pk)
    reports = alert_reports(alert=alert)
    return render(
        request,
        "transactions/alert_detail.html",
        {
            "alert": alert,
            "reports": reports[:REPORTS_SHOWN],
            "reports_hidden": max(alert.report_count - REPORTS_SHOWN, 0),
            "trail": alert_trail_for_merchant(alert=alert),
            "answers": alert.responses.select_related("author"),
            "holds": holds_for_alert(alert=alert),
            "form": form,
            "question": alert_question(alert=alert),
        },
    )


@login_required
def alert_attachment(request: HttpRequest, pk: int, answer_pk: int) -> FileResponse:
    """Evidence is served only to the alert's merchant and to compliance staff."""
    answer = get_object_or_404(
        AlertResponse.objects.select_related("alert"), pk=answer_pk, alert_id=pk
    )
    membership = request.membership  # type: ignore[attr-defined]
    own = bool(membership) and membership.merchant_id == answer.alert.merchant_id
    if not own and not request.user.has_perm("transactions.view_alertresponse"):
        raise Http404
    if not answer.attachment:
        raise Http404
    return private_download(
        answer.attachment,
        filename=answer.attachment_name or "evidence",
        content_type=sniff_document_type(answer.attachment.open("rb"))  # type: ignore[arg-type]
        or "application/octet-stream",
    )
