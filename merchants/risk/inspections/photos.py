"""Reading an inspection photo: JPEG or PNG by its content (Pillow), within the size limit, and
the GPS position and time the camera wrote in its EXIF data.

The name and the browser's content type say nothing: a text file named ``shop.jpg`` is refused
because Pillow cannot read it as an image. ``Image.verify`` checks the file's structure without
decoding every pixel; a picture too large to decode safely (a decompression bomb) is refused too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

from portal.common.beijing import SHANGHAI

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
# EXIF tags (the GPS IFD's and the Exif IFD's), by number as the standard gives them.
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132
EXIF_TIME = "%Y:%m:%d %H:%M:%S"


@dataclass(frozen=True)
class PhotoFacts:
    content_type: str
    width: int
    height: int
    latitude: Decimal | None
    longitude: Decimal | None
    taken_at: datetime | None


def read_photo(upload: UploadedFile) -> PhotoFacts:
    """What the photo is and where and when it was taken; ``ValidationError`` when it is refused."""
    limit = settings.INSPECTION_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The photo is %(size)s MB; the limit is %(limit)s MB."),
            code="file_too_large",
            params={"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)},
        )
    refused = ValidationError(_("Upload a photo: a JPEG or PNG image."), code="file_type")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                if image.format not in FORMATS:
                    raise refused
                image.verify()
            # verify() leaves the image unusable: open it again for its size and EXIF data.
            upload.seek(0)
            with Image.open(upload) as image:
                width, height = image.size
                exif = image.getexif()
                latitude, longitude = _gps(exif)
                facts = PhotoFacts(
                    content_type=FORMATS[str(image.format)],
                    width=width,
                    height=height,
                    latitude=latitude,
                    longitude=longitude,
                    taken_at=_taken_at(exif),
                )
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,  # Pillow's verify() reports a broken PNG chunk as one
        ValueError,
    ) as exc:
        raise refused from exc
    finally:
        upload.seek(0)
    return facts


def _degrees(value: Any, ref: Any) -> Decimal | None:
    """EXIF's (degrees, minutes, seconds) rationals and N/S or E/W as signed decimal degrees."""
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if str(ref).strip().upper() in ("S", "W"):
        result = -result
    return Decimal(f"{result:.6f}")


def _gps(exif: Image.Exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not gps or GPS_LATITUDE not in gps or GPS_LONGITUDE not in gps:
        return None, None
    latitude = _degrees(gps[GPS_LATITUDE], gps.get(GPS_LATITUDE_REF, "N"))
    longitude = _degrees(gps[GPS_LONGITUDE], gps.get(GPS_LONGITUDE_REF, "E"))
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        return None, None
    return latitude, longitude


def _taken_at(exif: Image.Exif) -> datetime | None:
    """The camera's clock has no zone: read as Beijing time, the portal's (and the shops') zone."""
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not raw:
        return None
    try:
        return datetime.strptime(str(raw).strip("\x00 "), EXIF_TIME).replace(tzinfo=SHANGHAI)
    except ValueError:
        return None
