"""The OpenAPI schema and the interactive docs are served and describe the terminal API."""

import pytest
import yaml

from transactions.api.schema import ReportIn, ReportOut
from transactions.ingest.wire import FIELDS

pytestmark = pytest.mark.django_db


def test_schema_describes_every_terminal_endpoint(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    assert {
        "/api/v1/terminal/reports/",
        "/api/v1/terminal/reports/batch/",
        "/api/v1/terminal/config/",
    } <= set(paths)
    assert "/api/v1/terminal/reports/{report_id}/" in paths
    assert "terminalSignature" in schema["components"]["securitySchemes"]
    assert {"201", "200", "400", "401", "403", "409"} <= set(
        paths["/api/v1/terminal/reports/"]["post"]["responses"]
    )


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_interactive_docs_are_served(client, url):
    assert client.get(url).status_code == 200


def test_docs_use_no_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in html and "/static/drf_spectacular_sidecar/" in html


def test_the_documented_report_has_exactly_the_wire_fields():
    # The serializer documents the fields; transactions/ingest/wire.py is their one list.
    assert tuple(ReportIn().fields) == FIELDS
    assert set(ReportOut().fields) == {*FIELDS, "received_at", "source", "decision", "held"}
