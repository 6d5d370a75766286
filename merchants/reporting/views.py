"""The merchant's reporting settings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from merchants.members.access import merchant_required
from merchants.models import ReportingSettings
from merchants.reporting.forms import ReportingSettingsForm
from merchants.reporting.services import reporting_settings_update


@merchant_required()
def reporting_settings(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    current, _created = ReportingSettings.objects.get_or_create(merchant=membership.merchant)
    form = ReportingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not membership.can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                reporting_settings_update(
                    merchant=membership.merchant, actor=request.user, data=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Reporting settings saved."))
                return redirect("merchants:reporting_settings")
    return render(
        request,
        "merchants/reporting_settings.html",
        {"form": form, "settings": current, "can_edit": membership.can_manage},
    )
