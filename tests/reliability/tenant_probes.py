"""What the tenant isolation matrix tries (tests/reliability/test_tenant_isolation_matrix.py).

Merchant A's and B's objects with the strings that would show A's data leaked; the probes of the
URLs that take an id, found by walking the resolver; the POSTs sent to the pages without one;
and everything of A that B's requests could change, to compare before and after.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from merchants.models import (
    ChangeKind,
    ChangeRequest,
    ChangeRequestDocument,
    DocumentKind,
    InspectionKind,
    Membership,
    Merchant,
    MerchantDocument,
    ReportingSettings,
    Role,
    Terminal,
    TerminalKey,
)
from merchants.risk.changes.services import change_request_create, change_request_transition
from merchants.risk.inspections.services import photo_request_submit
from merchants.terminals.services import terminal_key_issue
from tests.factories import (
    MembershipFactory,
    MerchantDocumentFactory,
    StaffFactory,
    pdf_upload,
    png_upload,
)
from tests.merchants.risk.inspections.helpers import InspectionFactory, png_bytes
from tests.merchants.risk.inspections.helpers import upload as inspection_upload
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.complaint_factories import ComplaintFactory, stored_report
from tests.transactions.helpers import report, report_csv, reporting_terminal
from tests.transactions.reconciliation.factories import csv_bytes, line_for, upload
from transactions.models import (
    Alert,
    AlertResponse,
    Complaint,
    ComplaintEvidence,
    ReconciliationItem,
    ReconciliationRun,
    Report,
    ReportAmendment,
    ReportExport,
    ReportUpload,
    SettlementFile,
    SettlementLine,
    SettlementLineOutcome,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from transactions.reports.background import report_export_build

MERCHANT_FACING = re.compile(r"^(merchant/|api/v1/)")
# Who of merchant B asks: the owner may do the most, the viewer the least.
ROLES = {"B's owner": "owner", "B's viewer": "viewer"}


@dataclass
class Tenant:
    """One merchant's objects, and the strings that would show its data leaked."""

    objects: dict[str, Any]
    markers: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


@dataclass(frozen=True)
class Probe:
    """One try: a URL name, a method, and how to fill its arguments from A's (and B's) objects."""

    name: str
    method: str
    args: Callable[[Tenant, Tenant], dict[str, Any]]
    data: dict[str, Any] = field(default_factory=dict)
    variant: str = "A's ids"


def _probes() -> list[Probe]:
    own = "B's parent, A's child"
    return [
        Probe("merchants:document_download", "get", lambda a, b: {"pk": a["document"].pk}),
        Probe("merchants:terminal_detail", "get", lambda a, b: {"pk": a["terminal"].pk}),
        Probe("merchants:terminal_key_rotate", "post", lambda a, b: {"pk": a["terminal"].pk}),
        Probe(
            "merchants:terminal_key_revoke",
            "post",
            lambda a, b: {"pk": a["terminal"].pk, "key_pk": a["key"].pk},
        ),
        Probe(
            "merchants:terminal_key_revoke",
            "post",
            lambda a, b: {"pk": b["terminal"].pk, "key_pk": a["key"].pk},
            variant=own,
        ),
        Probe(
            "merchants:member_role",
            "post",
            lambda a, b: {"pk": a["colleague"].pk},
            data={"role": Role.OWNER},
        ),
        Probe("merchants:member_remove", "post", lambda a, b: {"pk": a["colleague"].pk}),
        Probe("transactions:report_detail", "get", lambda a, b: {"pk": a["report"].pk}),
        Probe(
            "transactions:report_detail",
            "post",
            lambda a, b: {"pk": a["report"].pk},
            data={"field": "rrn", "value": "999999999999", "reason": "B corrects A's report"},
        ),
        Probe("transactions:upload_detail", "get", lambda a, b: {"pk": a["upload"].pk}),
        Probe("transactions:report_export_detail", "get", lambda a, b: {"pk": a["export"].pk}),
        Probe("transactions:report_export_download", "get", lambda a, b: {"pk": a["export"].pk}),
        Probe("transactions:upload_results", "get", lambda a, b: {"pk": a["upload"].pk}),
        Probe("transactions:alert_detail", "get", lambda a, b: {"pk": a["alert"].pk}),
        Probe(
            "transactions:alert_detail",
            "post",
            lambda a, b: {"pk": a["alert"].pk},
            data={"text": "B answers A's alert"},
        ),
        Probe(
            "transactions:alert_attachment",
            "get",
            lambda a, b: {"pk": a["alert"].pk, "answer_pk": a["answer"].pk},
        ),
        Probe(
            "transactions:alert_attachment",
            "get",
            lambda a, b: {"pk": b["alert"].pk, "answer_pk": a["answer"].pk},
            variant=own,
        ),
        Probe("transactions:complaint_detail", "get", lambda a, b: {"pk": a["complaint"].pk}),
        Probe(
            "transactions:complaint_detail",
            "post",
            lambda a, b: {"pk": a["complaint"].pk},
            data={"text": "B answers A's complaint"},
        ),
        Probe(
            "transactions:complaint_evidence",
            "get",
            lambda a, b: {"pk": a["complaint"].pk, "evidence_pk": a["evidence"].pk},
        ),
        Probe(
            "transactions:complaint_evidence",
            "get",
            lambda a, b: {"pk": b["complaint"].pk, "evidence_pk": a["evidence"].pk},
            variant=own,
        ),
        Probe(
            "merchants:inspection_photos_submit",
            "post",
            lambda a, b: {"pk": a["photo_request"].pk},
        ),
        Probe("merchants:inspection_photo", "get", lambda a, b: {"pk": a["photo"].pk}),
        Probe("merchants:change_detail", "get", lambda a, b: {"pk": a["change"].pk}),
        Probe(
            "merchants:change_step",
            "post",
            lambda a, b: {"pk": a["change"].pk, "name": "resubmit"},
            data={"note": "B hands in A's change"},
        ),
        Probe(
            "merchants:change_step",
            "post",
            lambda a, b: {"pk": a["change"].pk, "name": "withdraw"},
        ),
        Probe(
            "merchants:change_document_upload",
            "post",
            lambda a, b: {"pk": a["change"].pk},
            data={"file": pdf_upload("added-by-b.pdf")},
        ),
        Probe(
            "merchants:change_document_download",
            "get",
            lambda a, b: {"pk": a["change_document"].pk},
        ),
        Probe("transactions:recon_file", "get", lambda a, b: {"pk": a["settlement"].pk}),
        Probe("transactions:recon_file_errors", "get", lambda a, b: {"pk": a["settlement"].pk}),
        Probe("transactions:recon_run", "get", lambda a, b: {"pk": a["run"].pk}),
        Probe("transactions:recon_run_csv", "get", lambda a, b: {"pk": a["run"].pk}),
        Probe("transactions:webhook_detail", "get", lambda a, b: {"pk": a["endpoint"].pk}),
        Probe(
            "transactions:webhook_detail",
            "post",
            lambda a, b: {"pk": a["endpoint"].pk},
            data={"url": "https://93.184.216.34/by-b", "events": ["alert.opened"]},
        ),
        Probe("transactions:webhook_rotate", "post", lambda a, b: {"pk": a["endpoint"].pk}),
        Probe("transactions:webhook_enable", "post", lambda a, b: {"pk": a["endpoint"].pk}),
        Probe("transactions:webhook_disable", "post", lambda a, b: {"pk": a["endpoint"].pk}),
        Probe("transactions:webhook_ping", "post", lambda a, b: {"pk": a["endpoint"].pk}),
        Probe("transactions:webhook_delete", "post", lambda a, b: {"pk": a["endpoint"].pk}),
        Probe(
            "transactions:webhook_redeliver",
            "post",
            lambda a, b: {"pk": a["endpoint"].pk, "delivery_pk": a["delivery"].pk},
        ),
        Probe(
            "transactions:webhook_redeliver",
            "post",
            lambda a, b: {"pk": b["endpoint"].pk, "delivery_pk": a["delivery"].pk},
            variant=own,
        ),
        Probe(
            "terminal-report-detail",
            "api",
            lambda a, b: {"report_id": a["report"].report_id},
            variant="B's terminal, A's report",
        ),
    ]


PROBES = _probes()


# --- the URL patterns -------------------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str, list[str]]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            arguments = list(getattr(entry.pattern, "converters", {})) or list(
                entry.pattern.regex.groupindex
            )
            yield f"{namespace}{entry.name}", route, arguments


def merchant_urls_with_ids() -> dict[str, str]:
    """URL name -> pattern, for every merchant-facing URL that takes an argument."""
    return {
        name: route
        for name, route, arguments in _walk(get_resolver().url_patterns, "", "")
        if arguments and MERCHANT_FACING.match(route)
    }


# --- merchant A and merchant B ----------------------------------------------------------------


def _webhook(merchant: Merchant, owner: Any, label: str) -> tuple[Any, Any]:
    """An endpoint with one delivery, written directly: registering would resolve its host."""
    endpoint = WebhookEndpoint.objects.create(
        merchant=merchant,
        url=f"https://hooks-of-{label.lower()}.example/portal",
        events=["alert.opened"],
        secret=f"whsec_secret-of-{label}",
        created_by=owner,
    )
    event = WebhookEvent.objects.create(
        event_type="alert.opened", merchant=merchant, data={}, occurred_at=timezone.now()
    )
    delivery = WebhookDelivery.objects.create(
        event=event,
        endpoint=endpoint,
        status="failed",
        retry_until=timezone.now(),
    )
    return endpoint, delivery


def make_tenant(label: str, django_capture_on_commit_callbacks: Any) -> Tenant:
    terminal = reporting_terminal()
    merchant = terminal.merchant
    owner = MembershipFactory(merchant=merchant, role=Role.OWNER)
    colleague = MembershipFactory(merchant=merchant, role=Role.STAFF)
    viewer = MembershipFactory(merchant=merchant, role=Role.VIEWER)
    key, _secret = terminal_key_issue(terminal=terminal)
    report = stored_report(terminal)
    alert = AlertFactory(merchant=merchant, terminal=terminal, explanation=f"alert-of-{label}")
    answer = AlertResponse.objects.create(
        alert=alert,
        author=owner.user,
        text=f"answer-of-{label}",
        attachment=png_upload(f"answer-of-{label}.png"),
        attachment_name=f"answer-of-{label}.png",
    )
    complaint = ComplaintFactory(report=report, description=f"complaint-of-{label}")
    evidence = ComplaintEvidence.objects.create(
        complaint=complaint,
        side="merchant",
        note=f"evidence-of-{label}",
        file=pdf_upload(f"evidence-of-{label}.pdf"),
        original_name=f"evidence-of-{label}.pdf",
    )
    report_upload = ReportUpload.objects.create(
        merchant=merchant,
        uploaded_by=owner.user,
        original_name=f"upload-of-{label}.csv",
        file=SimpleUploadedFile(f"upload-of-{label}.csv", b"report_id\n"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        settlement = upload(
            [line_for(report)], merchant=merchant, name=f"settlement-of-{label}.csv"
        )
    change = change_request_create(
        merchant=merchant,
        actor=owner.user,
        kind=ChangeKind.LEGAL_NAME,
        data={"legal_name": f"change-of-{label}"},
        reason=f"change-of-{label}",
        documents=[pdf_upload(f"change-doc-of-{label}.pdf")],
    )
    # Asked for more information: the state in which its owner may add documents and resubmit.
    lead = StaffFactory(groups=["compliance lead"])
    change_request_transition(change=change, name="start_review", actor=lead)
    change = change_request_transition(change=change, name="request_info", actor=lead, reason="?")
    endpoint, delivery = _webhook(merchant, owner.user, label)
    photo_request = photo_request_submit(
        inspection=InspectionFactory(merchant=merchant, kind=InspectionKind.PHOTOS),
        actor=owner.user,
        uploads=[inspection_upload(png_bytes(), f"shop-of-{label}.png", "image/png")],
    )
    export = report_export_build(
        export_id=ReportExport.objects.create(merchant=merchant, language="en").pk
    )
    tenant = Tenant(
        objects={
            "endpoint": endpoint,
            "photo_request": photo_request,
            "photo": photo_request.photos.get(),
            "export": export,
            "delivery": delivery,
            "change": change,
            "change_document": change.documents.get(),
            "merchant": merchant,
            "owner": owner,
            "colleague": colleague,
            "viewer": viewer,
            "terminal": terminal,
            "key": key,
            "document": MerchantDocumentFactory(
                merchant=merchant, original_name=f"doc-{label}.png"
            ),
            "report": report,
            "alert": alert,
            "answer": answer,
            "complaint": complaint,
            "evidence": evidence,
            "upload": report_upload,
            "settlement": settlement,
            "run": ReconciliationRun.objects.filter(file=settlement).latest("pk"),
        }
    )
    tenant.markers = [
        merchant.legal_name,
        merchant.short_name,
        terminal.serial_number,
        terminal.tid,
        report.rrn,
        str(report.report_id),
        colleague.user.username,
        f"alert-of-{label}",
        f"answer-of-{label}",
        f"complaint-of-{label}",
        f"evidence-of-{label}",
        f"upload-of-{label}",
        endpoint.url,
        endpoint.secret,
        delivery.event.public_id,
        f"settlement-of-{label}",
        f"doc-{label}",
        f"change-of-{label}",
        f"change-doc-of-{label}",
    ]
    return tenant


def merchant_pages_without_ids() -> dict[str, str]:
    """URL name -> pattern, for the merchant pages that take no argument (lists, exports...)."""
    return {
        name: route
        for name, route, arguments in _walk(get_resolver().url_patterns, "", "")
        if not arguments and route.startswith("merchant/")
    }


LIST_QUERIES = {
    "filtered on A's ids": lambda a: {
        "terminal": a["terminal"].pk,
        "merchant": a["merchant"].pk,
        "report": a["report"].pk,
    },
    "searching A's RRN": lambda a: {"q": a["report"].rrn},
}


def _report_file(a: Tenant) -> SimpleUploadedFile:
    """A batch file of A's report (A's terminal, A's report_id), uploaded by B."""
    rows = [report(a["terminal"], report_id=str(a["report"].report_id))]
    return SimpleUploadedFile("reports-of-b.csv", report_csv(rows), "text/csv")


def _manual_report(a: Tenant, terminal: Any, **fields: Any) -> dict[str, Any]:
    local = timezone.localtime(a["report"].occurred_at)
    return {
        "report_id": str(a["report"].report_id),
        "terminal": terminal.pk,
        "occurred_at": local.strftime("%Y-%m-%dT%H:%M:%S"),
        "amount": "1.00",
        "type": "sale",
        "method": "debit_card",
        "card_first6": "622848",
        "card_last4": "1234",
        "rrn": "409999999999",
        "trace_no": "000999",
        "cvm": "signature",
        "merchant": a["merchant"].pk,
        **fields,
    }


@dataclass(frozen=True)
class FormProbe:
    """A POST to a page without an id, its body carrying A's ids (and files)."""

    name: str
    variant: str
    data: Callable[[Tenant, Tenant], dict[str, Any]]


def _form_probes() -> list[FormProbe]:
    a_ids = "A's ids in the body"
    return [
        FormProbe(
            "merchants:application",
            a_ids,
            lambda a, b: {
                "merchant": a["merchant"].pk,
                "id": a["merchant"].pk,
                "legal_name": "Renamed by B",
                "uscc": a["merchant"].uscc,
            },
        ),
        FormProbe(
            "merchants:document_upload",
            a_ids,
            lambda a, b: {
                "merchant": a["merchant"].pk,
                "kind": DocumentKind.OTHER,
                "file": png_upload("doc-by-b.png"),
            },
        ),
        FormProbe("merchants:submit", a_ids, lambda a, b: {"merchant": a["merchant"].pk}),
        FormProbe(
            "merchants:terminals",
            "A's serial number and merchant",
            lambda a, b: {
                "merchant": a["merchant"].pk,
                "serial_number": a["terminal"].serial_number,
                "model_name": "PAX A920",
                "province": a["terminal"].province,
                "city": a["terminal"].city,
                "district": a["terminal"].district,
                "address": "B's shop",
                "latitude": "31.238",
                "longitude": "121.484",
            },
        ),
        FormProbe(
            "merchants:reporting_settings",
            a_ids,
            lambda a, b: {
                "merchant": a["merchant"].pk,
                "enabled": "on",
                "method": "file",
                "frequency": "daily",
                "deadline_hours": "3",
            },
        ),
        FormProbe(
            "merchants:members",
            "A's merchant for a new user",
            lambda a, b: {
                "merchant": a["merchant"].pk,
                "username": "added-by-b",
                "email": "added-by-b@example.com",
                "password": "Kiwi-orchard-7291",
                "role": Role.OWNER,
            },
        ),
        FormProbe(
            "merchants:members",
            "A's colleague's username",
            lambda a, b: {
                "username": a["colleague"].user.username,
                "email": "taken@example.com",
                "password": "Kiwi-orchard-7291",
                "role": Role.OWNER,
            },
        ),
        FormProbe(
            "transactions:report_new",
            "A's terminal and report_id",
            lambda a, b: _manual_report(a, a["terminal"]),
        ),
        FormProbe(
            "transactions:report_new",
            "B's terminal, refunding A's report",
            lambda a, b: _manual_report(
                a,
                b["terminal"],
                report_id=str(uuid.UUID(int=1)),
                type="refund",
                original_report_id=str(a["report"].report_id),
            ),
        ),
        FormProbe(
            "transactions:uploads",
            "a file of A's report",
            lambda a, b: {"merchant": a["merchant"].pk, "file": _report_file(a)},
        ),
        FormProbe(
            "transactions:recon_list",
            "a settlement file of A's lines",
            lambda a, b: {
                "merchant": a["merchant"].pk,
                "acquirer": a["settlement"].acquirer_id,
                "file": SimpleUploadedFile(
                    "settlement-by-b.csv", csv_bytes([line_for(a["report"])]), "text/csv"
                ),
            },
        ),
    ]


FORM_PROBES = _form_probes()


def _generic_form(a: Tenant, b: Tenant) -> dict[str, Any]:
    """What any other page is sent: A's ids under the names the portal uses for them."""
    return {**LIST_QUERIES["filtered on A's ids"](a), "q": a["report"].rrn, "pk": a["report"].pk}


def form_probes() -> list[FormProbe]:
    """The probes above, and a generic POST to every other merchant page without an id."""
    specific = {probe.name for probe in FORM_PROBES}
    return FORM_PROBES + [
        FormProbe(name, "A's ids in the body", _generic_form)
        for name in merchant_pages_without_ids()
        if name not in specific
    ]


def state_of(a: Tenant) -> dict[str, list[Any]]:
    """Everything of A that B's requests could change, and B's rows that could point at A's."""
    merchant = a["merchant"]
    mine = Q(merchant=merchant) | Q(terminal__merchant=merchant)
    return {
        name: list(queryset.order_by("pk").values())
        for name, queryset in {
            "merchant": Merchant.objects.filter(pk=merchant.pk),
            "reporting settings": ReportingSettings.objects.filter(merchant=merchant),
            "memberships": Membership.objects.filter(merchant=merchant),
            "users": get_user_model().objects.filter(membership__merchant=merchant),
            "documents": MerchantDocument.objects.filter(merchant=merchant),
            "change requests": ChangeRequest.objects.filter(merchant=merchant),
            "change documents": ChangeRequestDocument.objects.filter(change__merchant=merchant),
            "terminals": Terminal.objects.filter(merchant=merchant),
            "keys": TerminalKey.objects.filter(terminal__merchant=merchant),
            "reports": Report.objects.filter(mine),
            "amendments": ReportAmendment.objects.filter(report__merchant=merchant),
            "uploads": ReportUpload.objects.filter(merchant=merchant),
            "alerts": Alert.objects.filter(merchant=merchant),
            "alert answers": AlertResponse.objects.filter(alert__merchant=merchant),
            "complaints": Complaint.objects.filter(report__merchant=merchant),
            "evidence": ComplaintEvidence.objects.filter(complaint__report__merchant=merchant),
            "settlement files": SettlementFile.objects.filter(merchant=merchant),
            "settlement lines of A": SettlementLine.objects.filter(merchant=merchant),
            "settlement line outcomes of A": SettlementLineOutcome.objects.filter(
                Q(report__merchant=merchant) | Q(line__merchant=merchant)
            ),
            "reconciliation items of A": ReconciliationItem.objects.filter(
                Q(report__merchant=merchant) | Q(merchant=merchant)
            ),
            "webhook endpoints": WebhookEndpoint.objects.filter(merchant=merchant),
            "webhook deliveries": WebhookDelivery.objects.filter(endpoint__merchant=merchant),
        }.items()
    }


def changed_since(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]
