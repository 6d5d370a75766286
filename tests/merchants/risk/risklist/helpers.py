"""Risk-list CSV files and the staff who import them or record checks."""

from __future__ import annotations

from typing import Any

from tests.factories import StaffFactory

HEADER = "kind,value,list,reason,listed_on"


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def lead() -> Any:
    return StaffFactory(groups=["compliance lead"])


def reviewer() -> Any:
    return StaffFactory(groups=["compliance reviewer"])
