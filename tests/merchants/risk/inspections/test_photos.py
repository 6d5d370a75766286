"""Photos are JPEG or PNG by their content (Pillow), within the size limit; EXIF GPS and time read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from merchants.risk.inspections.photos import read_photo
from portal.common.beijing import SHANGHAI
from tests.factories import PDF_BYTES
from tests.merchants.risk.inspections.helpers import jpeg_bytes, png_bytes, upload


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        read_photo(upload(b"just some text, not a photo\n" * 10, "shop.jpg"))


def test_a_pdf_is_refused_whatever_its_name():
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        read_photo(upload(PDF_BYTES, "shop.png", "image/png"))


def test_a_png_signature_with_garbage_after_it_is_refused():
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        read_photo(upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "shop.png", "image/png"))


def test_a_gif_is_refused():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="GIF")
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        read_photo(upload(buffer.getvalue(), "shop.gif", "image/gif"))


def test_a_png_is_accepted_with_its_size_and_no_position():
    facts = read_photo(upload(png_bytes((40, 30)), "shop.png", "image/png"))
    assert (facts.content_type, facts.width, facts.height) == ("image/png", 40, 30)
    assert facts.latitude is None and facts.longitude is None and facts.taken_at is None


def test_a_jpeg_gives_its_exif_gps_position_and_time():
    content = jpeg_bytes(gps=(31.235929, 121.506058), taken="2026:12:01 14:30:05")
    facts = read_photo(upload(content))
    assert facts.content_type == "image/jpeg"
    assert abs(facts.latitude - Decimal("31.235929")) < Decimal("0.00001")
    assert abs(facts.longitude - Decimal("121.506058")) < Decimal("0.00001")
    assert facts.taken_at == datetime(2026, 12, 1, 14, 30, 5, tzinfo=SHANGHAI)


def test_south_and_west_are_negative():
    facts = read_photo(upload(jpeg_bytes(gps=(33.8688, 151.2093), south_west=True)))
    assert facts.latitude < 0 and facts.longitude < 0


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.INSPECTION_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is"):
        read_photo(upload(png_bytes((200, 200)), "big.png", "image/png"))


def test_a_picture_too_large_to_decode_safely_is_refused(monkeypatch):
    from PIL import Image

    # A decompression bomb: far more pixels than Pillow is allowed to decode.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        read_photo(upload(png_bytes((40, 30)), "bomb.png", "image/png"))
