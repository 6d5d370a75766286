"""Serving stored uploads (licences, evidence, answers) to the people allowed to see them.

The views decide who may; this decides how: never cached by a shared cache, never content-sniffed
by the browser into something it was not uploaded as.
"""

from __future__ import annotations

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_download(
    stored: FieldFile,
    *,
    filename: str,
    content_type: str | None = None,
    as_attachment: bool = False,
) -> FileResponse:
    """``stored`` as a private response; its type by name unless ``content_type`` says it."""
    if not stored:
        raise Http404
    response = FileResponse(
        stored.open("rb"),
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type
        or mimetypes.guess_type(filename)[0]
        or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
