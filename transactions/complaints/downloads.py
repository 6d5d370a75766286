"""A complaint's evidence file as a download, for the merchant's pages and for admin alike."""

from __future__ import annotations

from django.http import FileResponse

from portal.common.downloads import private_download
from transactions.models import ComplaintEvidence


def serve_evidence(evidence: ComplaintEvidence) -> FileResponse:
    """The file as a download, never rendered inline, never cached."""
    return private_download(
        evidence.file, filename=evidence.original_name or "evidence", as_attachment=True
    )
