"""Inspections in tests: a factory, photos built with Pillow (EXIF GPS included), and the steps
from a task to its outcome through the services."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from merchants.models import Inspection, InspectionKind, InspectionStatus, Merchant
from merchants.risk.inspections.checklist import CHECKLIST
from merchants.risk.inspections.services import (
    inspection_assign,
    inspection_check_in,
    inspection_complete,
)
from tests.factories import MerchantFactory, StaffFactory

# The merchant's premises in the factories: Century Avenue 100, Pudong (the terminals' place).
PREMISES = (Decimal("31.235929"), Decimal("121.506058"))


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    merchant = factory.SubFactory(MerchantFactory, approved=True)
    kind = InspectionKind.ON_SITE
    status = InspectionStatus.SCHEDULED
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


def located(merchant: Merchant) -> Merchant:
    merchant.premises_latitude, merchant.premises_longitude = PREMISES
    merchant.save()
    return merchant


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _rational(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    return (degrees, minutes, round((minutes_float - minutes) * 60, 4))


def jpeg_bytes(
    *, gps: tuple[float, float] | None = None, taken: str | None = None, south_west: bool = False
) -> bytes:
    """A small JPEG; with ``gps`` its EXIF GPS IFD says (lat, lng), with ``taken`` its time."""
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    if gps is not None:
        latitude, longitude = gps
        exif[0x8825] = {
            1: "S" if south_west else "N",
            2: _rational(abs(latitude)),
            3: "W" if south_west else "E",
            4: _rational(abs(longitude)),
        }
    if taken is not None:
        exif[0x8769] = {0x9003: taken}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(content: bytes, name: str = "shop.jpg", content_type: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def inspector(username: str = "inspector", group: str = "compliance reviewer") -> Any:
    return StaffFactory(username=username, groups=[group])


def lead(username: str = "lead") -> Any:
    return StaffFactory(username=username, groups=["compliance lead"])


def all_answers(answer: str = "yes") -> dict[str, tuple[str, str]]:
    return {item.code: (answer, "") for item in CHECKLIST}


def checked_in(
    inspection: Inspection | None = None,
    *,
    at: tuple[Any, Any] = PREMISES,
    by: Any = None,
) -> Inspection:
    """An inspection assigned by a lead to ``by`` (an inspector) and checked in at ``at``."""
    inspection = inspection or InspectionFactory()
    by = by or inspector()
    inspection = inspection_assign(inspection=inspection, actor=lead(), assignee=by)
    return inspection_check_in(inspection=inspection, actor=by, latitude=at[0], longitude=at[1])


def completed(
    inspection: Inspection | None = None,
    *,
    outcome: str = "pass",
    findings: str = "",
    fix_due: date | None = None,
) -> Inspection:
    inspection = checked_in(inspection)
    return inspection_complete(
        inspection=inspection,
        actor=inspection.assignee,
        answers=all_answers(),
        findings=findings,
        outcome=outcome,
        remediation_due_on=fix_due,
    )
