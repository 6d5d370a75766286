"""Where the archive's files live and their checksums."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from django.conf import settings

MANIFEST = "manifest.json"


def root() -> Path:
    return Path(settings.ARCHIVE_ROOT)


def month_directory(month: date) -> str:
    """The month's directory, relative to ARCHIVE_ROOT: ``2024/09``."""
    return f"{month:%Y}/{month:%m}"


def merchant_file(month: date, merchant_id: int) -> str:
    return f"{month_directory(month)}/merchant-{merchant_id}.parquet"


def absolute(relative: str) -> Path:
    return root() / relative


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()
