"""Fuzzing the terminal API from its own OpenAPI schema: no 5xx, every answer as documented.

The schema is the one the app serves at /api/schema/, loaded in-process over WSGI, so the
requests run on the test database inside the test's transaction. ``SigningApp`` wraps the app and
stands in for the terminal's signer: it reads the exact bytes schemathesis is about to send and
adds X-Terminal-Key / X-Timestamp / X-Signature (shared/API.md), so fuzzed payloads get past
authentication and reach validation and storage. Hypothesis runs derandomized: the same payloads
on every run.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from merchants.models import ReportingSettings
from merchants.terminals.services import terminal_key_issue
from tests.reliability.scoreboard import record
from tests.transactions.helpers import reporting_terminal
from transactions.api.authentication import sign
from transactions.ingest.services import MAX_BATCH

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 40  # per operation, for the fuzzing phase (examples and coverage come on top)
SIGN_AS = "HTTP_X_FUZZ_SIGN_AS"  # "none" / "bad": how an unsigned test wants its request sent

# "Answers as documented". Left out: ignored_auth (it re-sends the request without credentials,
# which SigningApp would sign again: the unsigned tests below do that job), positive_data_acceptance
# (schema-valid reports are still refused for reasons a schema cannot say: a future occurred_at,
# a refund without its original, a card token that looks like a PAN) and the stateful checks.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
]

STATS: Counter[str] = Counter()


class SigningApp:
    """WSGI middleware signing each request with the current terminal's secret, as a POS would."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.key_id = ""
        self.secret = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        sign_as = environ.pop(SIGN_AS, "valid")
        if self.key_id and sign_as != "none":
            timestamp = str(int(time.time()))
            secret = self.secret if sign_as == "valid" else "not-the-secret"
            environ["HTTP_X_TERMINAL_KEY"] = self.key_id
            environ["HTTP_X_TIMESTAMP"] = timestamp
            environ["HTTP_X_SIGNATURE"] = sign(
                secret, timestamp, environ["REQUEST_METHOD"], environ["PATH_INFO"], body
            )
        STATS["payloads"] += 1
        # As Django's test client does: a request must not close the test's database connection.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = self.app(environ, start_response)
            content = b"".join(result)
            result.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return [content]


APP = SigningApp(get_wsgi_application())
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP)
schema.config.generation.update(
    max_examples=MAX_EXAMPLES, deterministic=True, with_security_parameters=False
)
# Well-formed requests only: what is under test is the signature, not the payload.
valid_schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP)
valid_schema.config.generation.update(
    modes=["positive"], max_examples=5, deterministic=True, with_security_parameters=False
)


@pytest.fixture
def signed_terminal():
    """A reporting terminal whose key signs every request of the test."""
    terminal = reporting_terminal()
    key, secret = terminal_key_issue(terminal=terminal)
    APP.key_id, APP.secret = key.key_id, secret
    yield terminal
    APP.key_id = APP.secret = ""


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    # Under pytest-xdist each worker fuzzes some operations and counts its own: additive figures,
    # which the scoreboard adds up over the workers of a run.
    operations = sorted(name[3:] for name in STATS if name.startswith("op:"))
    record(
        "fuzzing", "operations fuzzed", len(operations), note=", ".join(operations), additive=True
    )
    record("fuzzing", "payloads sent", STATS["payloads"], note="all tests", additive=True)
    for name, count in sorted(STATS.items()):
        if name.startswith("status:"):
            record("fuzzing", f"signed fuzzing answered {name[7:]}", count, additive=True)
    record("fuzzing", "5xx seen", STATS["5xx"], additive=True)
    record("fuzzing", "schema violations", STATS["violations"], additive=True)
    record(
        "fuzzing",
        "unsigned or badly signed requests refused",
        STATS["refused 401"],
        additive=True,
    )
    record(
        "fuzzing",
        "requests of a terminal barred from reporting refused",
        STATS["refused 403"],
        additive=True,
    )


def _rows_judged_one_by_one(case: Any) -> bool:
    """A batch whose rows are checked one by one: invalid rows come back in ``rejected``.

    API.md: every valid row is stored whatever the others hold, so a batch with schema-invalid
    rows is a 200 with those rows rejected, not a 400 (which negative_data_rejection expects).
    """
    body = case.body
    return (
        case.operation.path.endswith("/batch/")
        and isinstance(body, dict)
        and set(body) == {"reports"}
        and isinstance(body["reports"], list)
        and len(body["reports"]) <= MAX_BATCH
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, signed_terminal):
    STATS[f"op:{case.operation.label}"] += 1
    response = case.call()
    STATS[f"status:{response.status_code}"] += 1
    if response.status_code >= 500:
        STATS["5xx"] += 1
    checks = CHECKS
    if _rows_judged_one_by_one(case):
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    try:
        case.validate_response(response, checks=checks)
    except Exception:
        STATS["violations"] += 1
        raise


@valid_schema.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.parametrize("sign_as", ["none", "bad"])
def test_unsigned_or_badly_signed_requests_are_refused(case, signed_terminal, sign_as):
    response = case.call(headers={"X-Fuzz-Sign-As": sign_as})
    assert response.status_code == 401, response.text
    STATS["refused 401"] += 1
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])


@valid_schema.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_a_terminal_that_may_not_report_is_refused(case, signed_terminal):
    """Signed right, but its merchant turned reporting off: 403, as documented."""
    ReportingSettings.objects.filter(merchant=signed_terminal.merchant).update(enabled=False)
    response = case.call()
    assert response.status_code == 403, response.text
    STATS["refused 403"] += 1
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])


def test_a_report_id_that_is_no_uuid_is_a_json_404(client):
    """Found by the fuzzing: Django's HTML 404 answered paths the uuid converter refused."""
    response = client.get("/api/v1/terminal/reports/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "non_field_errors" in response.json()["errors"]
