"""Tenant isolation, URL by URL: merchant B's users (and terminal) never get or change A's data.

The URLs are not listed by hand: the resolver is walked, and every merchant-facing pattern that
takes an id (under merchant/ and the terminal API) must have a probe in ``PROBES``, or
``test_every_merchant_url_with_an_id_is_probed`` fails, so a new page cannot slip past the matrix.
Each probe asks, as B's owner (the most rights a merchant user has) and again as B's viewer, for
one of A's objects; nested URLs are also tried with B's own parent and A's child. The answer must
be 403 or 404 and the body must hold none of A's marker strings. The pages without an id are
asked for A's objects through their filters, and every one of them is sent a POST carrying A's
ids (a form, a file of A's reports, a settlement file of A's lines): the answer may be anything
below 500 but must show nothing of A, and nothing of A may have changed. The run writes the table
to docs/tenant-isolation.md and records its figures for the scoreboard.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from merchants.models import (
    Membership,
    ReportingSettings,
    Role,
    TerminalKey,
)
from tests.reliability.scoreboard import record
from tests.reliability.tenant_probes import (
    FORM_PROBES,
    LIST_QUERIES,
    PROBES,
    ROLES,
    FormProbe,
    Probe,
    Tenant,
    changed_since,
    form_probes,
    make_tenant,
    merchant_pages_without_ids,
    merchant_urls_with_ids,
    state_of,
)
from tests.transactions.helpers import TerminalAPI
from transactions.models import (
    AlertResponse,
    ComplaintEvidence,
    ReportAmendment,
    ReportUpload,
    SettlementFile,
)

pytestmark = pytest.mark.django_db

TABLE = Path(settings.BASE_DIR) / "docs" / "tenant-isolation.md"
REFUSED = {403, 404}
XLSX = "application/vnd.openxmlformats"


@pytest.fixture
def tenants(django_capture_on_commit_callbacks):
    return (
        make_tenant("merchant-a", django_capture_on_commit_callbacks),
        make_tenant("merchant-b", django_capture_on_commit_callbacks),
    )


@pytest.fixture
def intruder(client, tenants):
    """Merchant B's owner, logged in."""
    client.force_login(tenants[1]["owner"].user)
    return client


def _as(client: Any, b: Tenant, role: str) -> Any:
    """The client, signed in as B's user in ``role`` ("owner" / "viewer")."""
    client.logout()
    client.force_login(b[role].user)
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


def _try_list(name: str, variant: str, a: Tenant, client: Any) -> tuple[str, int, list[str]]:
    """A list or export page, asked for A's objects through its filters."""
    url = reverse(name)
    query = LIST_QUERIES[variant](a)
    response = client.get(url, query)
    # The page may echo the query back (a search box): that is B's own input, not A's data.
    asked = {str(value) for value in query.values()}
    return url, response.status_code, [m for m in _leaked(a, _body(response)) if m not in asked]


def _try_form(
    probe: FormProbe, a: Tenant, b: Tenant, client: Any, on_commit: Any
) -> tuple[str, int, list[str]]:
    """Send the POST (and what it queues on commit: an upload's processing); the URL, the
    status and A's markers in the answer, leaving out what B itself sent."""
    url = reverse(probe.name)
    data = probe.data(a, b)
    with on_commit(execute=True):
        response = client.post(url, data)
    sent = {str(value) for value in data.values()}
    return url, response.status_code, [m for m in _leaked(a, _body(response)) if m not in sent]


# --- the tests --------------------------------------------------------------------------------


def test_every_merchant_url_with_an_id_is_probed():
    probed = {probe.name for probe in PROBES}
    missing = sorted(set(merchant_urls_with_ids()) - probed)
    assert not missing, f"merchant-facing URLs with ids not in the isolation matrix: {missing}"


def test_merchant_b_gets_none_of_merchant_a_data(
    client, tenants, django_capture_on_commit_callbacks
):
    a, b = tenants
    patterns = {**merchant_urls_with_ids(), **merchant_pages_without_ids()}
    before = state_of(a)
    rows, failures = [], []

    def judge(name, who, method, variant, url, status, leaked, refused_only):
        ok = (status in REFUSED if refused_only else status < 500) and not leaked
        verdict = ("refused" if refused_only else "no data of A") if ok else "LEAK"
        pattern = patterns.get(name, "?")
        rows.append((name, pattern, who, method, variant, status, verdict))
        if not ok:
            failures.append(f"{who}: {method} {url} ({variant}): {status}, shows {leaked}")

    for who, role in ROLES.items():
        _as(client, b, role)
        for probe in PROBES:
            if probe.method == "api":
                continue  # a terminal has no role: tried once, below
            url, status, leaked = _try(probe, a, b, client)
            judge(probe.name, who, probe.method.upper(), probe.variant, url, status, leaked, True)
        for name in merchant_pages_without_ids():
            for variant in LIST_QUERIES:
                url, status, leaked = _try_list(name, variant, a, client)
                judge(name, who, "GET", variant, url, status, leaked, False)
        for probe in form_probes():
            url, status, leaked = _try_form(probe, a, b, client, django_capture_on_commit_callbacks)
            judge(probe.name, who, "POST", probe.variant, url, status, leaked, False)
    for probe in PROBES:
        if probe.method == "api":
            url, status, leaked = _try(probe, a, b, client)
            judge(
                probe.name, "B's terminal", "GET (signed)", probe.variant, url, status, leaked, True
            )
    changed = changed_since(before, state_of(a))
    _write_table(rows, changed)
    record("tenant isolation", "URL patterns with ids", len(merchant_urls_with_ids()))
    record(
        "tenant isolation",
        "URLs tried",
        len(rows),
        note="as B's owner and B's viewer (and B's terminal): A's ids in the path, as filters "
        "on list/export pages, or in POSTed forms and files",
    )
    record("tenant isolation", "leaks", len(failures))
    record("tenant isolation", "kinds of A's records changed by B's requests", len(changed))
    assert not failures, "\n".join(failures)
    assert not changed, f"B's requests changed A's {changed}"


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
    assert not ReportAmendment.objects.filter(report=a["report"])


def test_the_forms_b_posts_land_at_b(intruder, tenants, django_capture_on_commit_callbacks):
    """The POSTs are not vacuous: B's owner's forms do take effect, on B's own records."""
    a, b = tenants
    for probe in FORM_PROBES:
        _try_form(probe, a, b, intruder, django_capture_on_commit_callbacks)
    assert Membership.objects.get(user__username="added-by-b").merchant == b["merchant"]
    assert ReportingSettings.objects.get(merchant=b["merchant"]).deadline_hours == 3
    assert ReportUpload.objects.filter(merchant=b["merchant"], original_name="reports-of-b.csv")
    assert SettlementFile.objects.filter(merchant=b["merchant"]).count() == 2


def _write_table(rows: list[tuple[Any, ...]], changed: list[str]) -> None:
    lines = [
        "# Tenant isolation matrix",
        "",
        "Generated by `tests/reliability/test_tenant_isolation_matrix.py` (do not edit by hand).",
        "Every merchant-facing URL that takes an id, found by walking the URL resolver, is",
        "requested by merchant B's owner and again by B's viewer (for the terminal API, by B's",
        "terminal) with the ids of merchant A's objects; nested URLs also with B's own parent and",
        "A's child. Expected: 403 or 404, and none of A's names, numbers or file names in the",
        "answer. Every merchant page without an id (lists, dashboard, exports, forms) is then",
        "requested by B filtered on A's terminal, report and merchant ids and searching A's RRN,",
        "and sent a POST carrying A's ids: a form naming A's merchant, terminal, serial number or",
        "report, a batch file of A's report, a settlement file of A's lines. It may answer (a form",
        "error is fine), but show nothing of A; what B sent itself is not counted.",
        "",
        "Afterwards every record of A (merchant, settings, members, terminals, keys, reports,",
        "amendments, uploads, alerts, answers, complaints, evidence, settlement files, lines and",
        "reconciliation items) is compared with before: "
        + (f"**changed: {', '.join(changed)}**." if changed else "nothing changed."),
        "",
        "| URL name | pattern | as | method | ids | status | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{name}` | `{pattern}` | {who} | {method} | {variant} | {status} | {verdict} |"
        for name, pattern, who, method, variant, status, verdict in rows
    ]
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_archive_search_shows_b_none_of_a_archived_reports(
    intruder, tenants, settings, tmp_path
):
    """The report list's archive path ("Include archived months") reads only B's own files."""
    from portal.common.beijing import month_bounds
    from tests.transactions.report_factories import make_report
    from transactions.archive.months import last_due_month
    from transactions.archive.services import archive_month_run

    settings.ARCHIVE_ROOT = tmp_path / "archive"
    a, b = tenants
    day = month_bounds(last_due_month())[0].replace(day=9, hour=10)
    a_old = make_report(a["terminal"], occurred_at=day, rrn="424242424242")
    b_old = make_report(b["terminal"], occurred_at=day, rrn="515151515151")
    archive_month_run(month=last_due_month())
    queries = [
        {"archived": "on"},
        {"archived": "on", "q": a_old.rrn},
        {"archived": "on", "rrn_end": a_old.rrn[-4:]},
        {"archived": "on", "terminal": a["terminal"].pk},
    ]
    for role in ROLES.values():
        client = _as(intruder, b, role)
        for query in queries:
            response = client.get(reverse("transactions:reports"), query)
            body = _body(response)
            archived = (
                body[body.find('data-testid="archived-reports"') :]
                if response.status_code == 200
                else body
            )
            assert response.status_code < 500
            assert a_old.rrn not in archived, (role, query)
            assert not [
                m for m in _leaked(a, archived) if m not in {str(v) for v in query.values()}
            ]
        shown = client.get(reverse("transactions:reports"), {"archived": "on"})
        assert b_old.rrn in _body(shown)
