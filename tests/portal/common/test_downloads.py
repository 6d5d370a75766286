"""Stored uploads are served privately: never cached, never sniffed, 404 when there is none."""

import pytest
from django.http import Http404

from portal.common.downloads import private_download
from tests.factories import MerchantDocumentFactory

pytestmark = pytest.mark.django_db


def test_a_stored_file_is_served_private_and_unsniffed():
    document = MerchantDocumentFactory()
    response = private_download(document.file, filename="licence.pdf")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")


def test_a_download_names_its_file_and_takes_the_given_type():
    document = MerchantDocumentFactory()
    response = private_download(
        document.file, filename="scan", content_type="image/png", as_attachment=True
    )
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="scan"'


def test_nothing_stored_is_not_found():
    document = MerchantDocumentFactory()
    document.file = ""
    with pytest.raises(Http404):
        private_download(document.file, filename="x.pdf")
