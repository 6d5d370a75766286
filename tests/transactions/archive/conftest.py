"""The archive's tests write under a temporary ARCHIVE_ROOT."""

import pytest


@pytest.fixture(autouse=True)
def archive_root(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    return settings.ARCHIVE_ROOT
