"""Tenant isolation, URL by URL: merchant B's user (and terminal) never gets merchant A's data.

The URLs are not listed by hand: the resolver is walked, and every merchant-facing pattern that
takes an id (under merchant/ and the terminal API) must have a probe in ``PROBES``, or
``test_every_merchant_url_with_an_id_is_probed`` fails, so a new page cannot slip past the matrix.
Each probe asks, as B's owner (the most rights a merchant user has), for one of A's objects;
nested URLs are also tried with B's own parent and A's child. The answer must be 403 or 404 and
the body must hold none of A's marker strings. The run writes the table to
docs/tenant-isolation.md and records its figures for the scoreboard.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from merchants.models import Membership, Role, TerminalKey
from merchants.services.terminals import terminal_key_issue
from tests.factories import MembershipFactory, MerchantDocumentFactory, pdf_upload, png_upload
from tests.reliability.scoreboard import record
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.complaint_factories import ComplaintFactory, stored_report
from tests.transactions.helpers import TerminalAPI, reporting_terminal
from tests.transactions.reconciliation.factories import line_for, upload
from transactions.models import (
    AlertResponse,
    ComplaintEvidence,
    ReconciliationRun,
    ReportUpload,
)

pytestmark = pytest.mark.django_db

TABLE = Path(settings.BASE_DIR) / "docs" / "tenant-isolation.md"
MERCHANT_FACING = re.compile(r"^(merchant/|api/v1/)")
REFUSED = {403, 404}
XLSX = "application/vnd.openxmlformats"


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
        Probe("transactions:upload_detail", "get", lambda a, b: {"pk": a["upload"].pk}),
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
        Probe("transactions:recon_file", "get", lambda a, b: {"pk": a["settlement"].pk}),
        Probe("transactions:recon_file_errors", "get", lambda a, b: {"pk": a["settlement"].pk}),
        Probe("transactions:recon_run", "get", lambda a, b: {"pk": a["run"].pk}),
        Probe("transactions:recon_run_csv", "get", lambda a, b: {"pk": a["run"].pk}),
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


def _tenant(label: str, django_capture_on_commit_callbacks: Any) -> Tenant:
    terminal = reporting_terminal()
    merchant = terminal.merchant
    owner = MembershipFactory(merchant=merchant, role=Role.OWNER)
    colleague = MembershipFactory(merchant=merchant, role=Role.STAFF)
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
    tenant = Tenant(
        objects={
            "merchant": merchant,
            "owner": owner,
            "colleague": colleague,
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
        f"settlement-of-{label}",
        f"doc-{label}",
    ]
    return tenant


@pytest.fixture
def tenants(django_capture_on_commit_callbacks):
    return (
        _tenant("merchant-a", django_capture_on_commit_callbacks),
        _tenant("merchant-b", django_capture_on_commit_callbacks),
    )


@pytest.fixture
def intruder(client, tenants):
    """Merchant B's owner, logged in."""
    client.force_login(tenants[1]["owner"].user)
    return client


def _body(response: Any) -> str:
    """The answer as text; a spreadsheet is unzipped into its cells' values."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX) and response.status_code == 200:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if cell is None else str(cell) for cell in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return content.decode("utf-8", errors="replace")


def _try(probe: Probe, a: Tenant, b: Tenant, client: Any) -> tuple[str, int, list[str]]:
    """Send the probe; return the URL, the status and the markers of A found in the answer."""
    url = reverse(probe.name, kwargs=probe.args(a, b))
    if probe.method == "api":
        response = TerminalAPI(client, terminal=b["terminal"]).get(url)
    else:
        response = getattr(client, probe.method)(url, probe.data)
    return url, response.status_code, _leaked(a, _body(response))


def _leaked(a: Tenant, body: str) -> list[str]:
    """A's markers in ``body``, whole only: A's "user3" is not B's "user31"."""
    return [
        marker
        for marker in a.markers
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(marker)}(?![0-9A-Za-z])", body)
    ]


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


def _try_list(name: str, variant: str, a: Tenant, client: Any) -> tuple[str, int, list[str]]:
    """A list or export page, asked for A's objects through its filters."""
    url = reverse(name)
    query = LIST_QUERIES[variant](a)
    response = client.get(url, query)
    # The page may echo the query back (a search box): that is B's own input, not A's data.
    asked = {str(value) for value in query.values()}
    return url, response.status_code, [m for m in _leaked(a, _body(response)) if m not in asked]


# --- the tests --------------------------------------------------------------------------------


def test_every_merchant_url_with_an_id_is_probed():
    probed = {probe.name for probe in PROBES}
    missing = sorted(set(merchant_urls_with_ids()) - probed)
    assert not missing, f"merchant-facing URLs with ids not in the isolation matrix: {missing}"


def test_merchant_b_gets_none_of_merchant_a_data(intruder, tenants):
    a, b = tenants
    patterns = merchant_urls_with_ids()
    rows, failures = [], []
    for probe in PROBES:
        url, status, leaked = _try(probe, a, b, intruder)
        method = "GET (signed by B's terminal)" if probe.method == "api" else probe.method.upper()
        verdict = "refused" if status in REFUSED and not leaked else "LEAK"
        rows.append(
            (probe.name, patterns.get(probe.name, "?"), method, probe.variant, status, verdict)
        )
        if verdict == "LEAK":
            failures.append(f"{method} {url} ({probe.variant}): {status}, shows {leaked}")
    for name, pattern in merchant_pages_without_ids().items():
        for variant in LIST_QUERIES:
            url, status, leaked = _try_list(name, variant, a, intruder)
            verdict = "no data of A" if status < 500 and not leaked else "LEAK"
            rows.append((name, pattern, "GET", variant, status, verdict))
            if verdict == "LEAK":
                failures.append(f"GET {url} ({variant}): {status}, shows {leaked}")
    _write_table(rows)
    record("tenant isolation", "URL patterns with ids", len(patterns))
    record(
        "tenant isolation",
        "URLs tried",
        len(rows),
        note="as merchant B: A's ids in the path, or A's ids as filters on list/export pages",
    )
    record("tenant isolation", "leaks", len(failures))
    assert not failures, "\n".join(failures)


def test_b_can_still_reach_its_own_objects(intruder, tenants):
    """The matrix is not vacuous: the same URLs with B's own ids answer (200)."""
    _a, b = tenants
    for probe in PROBES:
        if probe.method != "get" or probe.variant != "A's ids":
            continue
        url = reverse(probe.name, kwargs=probe.args(b, b))
        assert intruder.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "name", ["transactions:report_export_csv", "transactions:report_export_xlsx"]
)
def test_exports_searched_for_b_own_rrn_hold_its_report(intruder, tenants, name):
    """The exports' check is not vacuous: the same search finds B's own report."""
    _a, b = tenants
    response = intruder.get(reverse(name), {"q": b["report"].rrn})
    assert response.status_code == 200
    assert b["report"].rrn in _body(response)


def test_nothing_of_a_changed_after_the_attempts(intruder, tenants):
    a, b = tenants
    for probe in PROBES:
        if probe.method == "post":
            _try(probe, a, b, intruder)
    assert TerminalKey.objects.filter(terminal=a["terminal"], revoked_at__isnull=True).count() == 1
    assert TerminalKey.objects.get(pk=a["key"].pk).revoked_at is None
    assert Membership.objects.get(pk=a["colleague"].pk).role == Role.STAFF
    assert not AlertResponse.objects.filter(alert=a["alert"], text__startswith="B answers")
    assert not ComplaintEvidence.objects.filter(complaint=a["complaint"]).exclude(
        pk=a["evidence"].pk
    )


def _write_table(rows: list[tuple[Any, ...]]) -> None:
    lines = [
        "# Tenant isolation matrix",
        "",
        "Generated by `tests/reliability/test_tenant_isolation_matrix.py` (do not edit by hand).",
        "Every merchant-facing URL that takes an id, found by walking the URL resolver, is",
        "requested by the owner of merchant B (or, for the terminal API, B's terminal) with the",
        "ids of merchant A's objects; nested URLs also with B's own parent and A's child.",
        "Expected: 403 or 404, and none of A's names, numbers or file names in the answer.",
        "Every merchant page without an id (lists, dashboard, exports) is then requested by B",
        "filtered on A's terminal, report and merchant ids, and searching A's RRN: it may answer",
        "(a form error is fine), but show nothing of A.",
        "",
        "| URL name | pattern | method | ids | status | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{name}` | `{pattern}` | {method} | {variant} | {status} | {verdict} |"
        for name, pattern, method, variant, status, verdict in rows
    ]
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
