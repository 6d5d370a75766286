"""Who may report: an active terminal of an approved merchant with reporting turned on."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from merchants.models import ApplicationStatus, TerminalStatus
from transactions.api.authentication import TerminalClient


class TerminalMayReport(BasePermission):
    message = _("This terminal may not report now.")

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.user
        if not isinstance(client, TerminalClient):
            return False
        terminal = client.signed
        if terminal.status != TerminalStatus.ACTIVE:
            self.message = _("The terminal is not active.")
            return False
        if terminal.merchant_status != ApplicationStatus.APPROVED:
            self.message = _("The merchant is not approved.")
            return False
        if not terminal.reporting_enabled:
            self.message = _("Reporting is turned off for this merchant.")
            return False
        return True
