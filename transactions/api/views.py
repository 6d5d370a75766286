"""The terminal upload API (shared/API.md). Views decode and answer; services decide."""

from __future__ import annotations

from typing import Any

import msgspec
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from transactions.api import schema
from transactions.api.authentication import (
    PayloadTooLarge,
    TerminalSignatureAuthentication,
    read_body,
    signed_terminal,
    terminal_of,
)
from transactions.api.permissions import TerminalMayReport
from transactions.decisions.answers import decision_answer
from transactions.decisions.selectors import decision_of, report_held
from transactions.ingest.services import MAX_BATCH, report_ingest_batch, report_ingest_one
from transactions.ingest.wire import report_wire
from transactions.models import Report

ERRORS = {code: OpenApiResponse(schema.Errors) for code in (400, 401, 403, 413, 415)}
RETRY_AFTER_SECONDS = 5
# The views read the body raw (no DRF parsers), so the schema names the media type itself.
JSON = "application/json"


def error_response(errors: dict[str, list[Any]], status: int) -> Response:
    return Response({"errors": errors}, status=status)


def terminal_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal in the shape of the contract: {"errors": {"field": [...]}}.

    A database that went away mid-request (restarted, connection killed) is a 503 with
    Retry-After, not a bare 500: the request's writes were rolled back (or, if the connection
    died during the commit itself, stored whole), so the terminal retries with the same
    report_id and is answered from what is stored (tests/reliability/test_faults_db_drop.py).
    """
    if isinstance(exc, OperationalError | InterfaceError):
        message = _("The service is briefly unavailable; retry with the same report_id.")
        response = error_response({"non_field_errors": [message]}, 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if not isinstance(exc, exceptions.APIException):
        return None
    detail = exc.detail
    if isinstance(detail, dict):
        errors = {k: v if isinstance(v, list) else [v] for k, v in detail.items()}
    else:
        errors = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
    response = error_response(errors, exc.status_code)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response["WWW-Authenticate"] = 'HMAC-SHA256 realm="terminal"'
    return response


class TerminalAPIView(APIView):
    authentication_classes = [TerminalSignatureAuthentication]
    permission_classes = [TerminalMayReport]
    parser_classes: list = []  # the body is read raw: it is signed byte for byte

    def get_exception_handler(self):
        return terminal_exception_handler

    def permission_denied(self, request: Request, message: Any = None, code: Any = None) -> None:
        # A request that failed authentication must be a 401, not DRF's 403 fallback.
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(
                _("Missing X-Terminal-Key, X-Timestamp or X-Signature.")
            )
        super().permission_denied(request, message, code)

    def json_body(self, request: Request) -> Any:
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type != "application/json":
            raise exceptions.UnsupportedMediaType(content_type or "none")
        try:
            return msgspec.json.decode(read_body(request))
        except msgspec.DecodeError as exc:
            raise exceptions.ParseError(_("Malformed JSON: %(error)s") % {"error": exc}) from None


class ReportCreateView(TerminalAPIView):
    @extend_schema(
        operation_id="terminal_report_create",
        request={JSON: schema.ReportIn},
        responses={201: schema.Stored, 200: schema.Stored, 409: schema.Errors, **ERRORS},
        summary="Report one transaction",
    )
    def post(self, request: Request) -> Response:
        outcome = report_ingest_one(terminal=signed_terminal(request), raw=self.json_body(request))
        if outcome.status == "invalid":
            return error_response(outcome.errors, 400)
        if outcome.status == "conflict":
            message = _("Another report with this report_id was already stored with other content.")
            return error_response({"report_id": [message]}, 409)
        status = 201 if outcome.status == "accepted" else 200
        answer: dict[str, Any] = {"report_id": outcome.report_id, "status": outcome.status}
        if outcome.decision is not None:
            answer["decision"] = decision_answer(outcome.decision)
        return Response(answer, status=status)


class ReportBatchView(TerminalAPIView):
    @extend_schema(
        operation_id="terminal_report_batch",
        request={JSON: schema.BatchIn},
        responses={200: schema.BatchOut, **ERRORS},
        summary="Report up to 5000 transactions",
    )
    def post(self, request: Request) -> Response:
        body = self.json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("reports"), list):
            return error_response({"reports": [_('Send {"reports": [ ... ]}.')]}, 400)
        if unknown := set(body) - {"reports"}:
            return error_response({name: [_("Unknown field.")] for name in sorted(unknown)}, 400)
        if len(body["reports"]) > MAX_BATCH:
            raise PayloadTooLarge(_("At most %(max)d reports per batch.") % {"max": MAX_BATCH})
        outcome = report_ingest_batch(terminal=signed_terminal(request), raws=body["reports"])
        return Response(
            {
                "accepted": outcome.accepted,
                "duplicates": outcome.duplicates,
                "rejected": outcome.rejected,
                "decisions": [
                    {"index": index, "report_id": report_id} | decision_answer(decision)
                    for index, report_id, decision in outcome.decisions
                ],
            }
        )


class ReportDetailView(TerminalAPIView):
    @extend_schema(
        operation_id="terminal_report_detail",
        responses={200: schema.ReportOut, 404: schema.Errors, **ERRORS},
    )
    def get(self, request: Request, report_id: str) -> Response:
        report = Report.objects.filter(
            terminal_id=signed_terminal(request).pk, report_id=report_id
        ).first()
        if report is None:
            raise exceptions.NotFound(_("No such report for this terminal."))
        answer = report_wire(report)
        decision = decision_of(report=report)
        if decision is not None:
            answer["decision"] = decision_answer(decision)
            answer["held"] = report_held(report=report)
        return Response(answer)


class TerminalConfigView(TerminalAPIView):
    @extend_schema(operation_id="terminal_config", responses={200: schema.TerminalConfig, **ERRORS})
    def get(self, request: Request) -> Response:
        terminal = terminal_of(request)
        merchant = terminal.merchant
        reporting = merchant.reporting
        return Response(
            {
                "tid": terminal.tid,
                "serial_number": terminal.serial_number,
                "mid": merchant.mid,
                "mcc": merchant.mcc,
                "reporting_enabled": reporting.enabled,
                "reporting_method": reporting.method,
                "reporting_frequency": reporting.frequency,
                "deadline_hours": reporting.deadline_hours,
                "parameters": terminal.parameters,
                "server_time": timezone.now().isoformat(),
            }
        )


@csrf_exempt  # like the API views: terminals sign their requests, they have no CSRF cookie
def terminal_not_found(request: HttpRequest) -> JsonResponse:
    """A path under the terminal API that names nothing: the contract's error shape, not HTML."""
    errors = {"non_field_errors": [_("No such endpoint or report.")]}
    return JsonResponse({"errors": errors}, status=404)
