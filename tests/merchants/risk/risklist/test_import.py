"""Importing the risk list: every valid row kept, every bad one reported by its line."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from merchants.models import RiskListEntry, RiskListImport, RiskListKind
from merchants.risk.risklist.services import risk_list_import
from portal.common.crypto import id_number_digest
from tests.factories import make_id_number, make_uscc
from tests.merchants.risk.risklist.helpers import csv_bytes, lead, reviewer

pytestmark = pytest.mark.django_db

USCC = make_uscc(1)
ID = make_id_number(1)
MID = "898310054110001"


def _import(data: bytes, actor=None, **kwargs) -> RiskListImport:
    return risk_list_import(data=data, file_name="list.csv", actor=actor or lead(), **kwargs)


def test_valid_rows_become_entries_with_their_list_reason_and_date():
    record = _import(
        csv_bytes(
            f"uscc,{USCC},商户黑名单,套现,2026-11-30",
            f"id_number,{ID},个人风险名单,冒名开户,",
            f"mid,{MID},商户黑名单,,2026-12-01",
        )
    )
    assert (record.rows_total, record.rows_added, record.rows_already, record.errors) == (
        3,
        3,
        0,
        [],
    )
    uscc = RiskListEntry.objects.get(kind=RiskListKind.USCC)
    assert (uscc.value, uscc.source, uscc.reason, str(uscc.listed_on)) == (
        USCC,
        "商户黑名单",
        "套现",
        "2026-11-30",
    )
    assert uscc.source_import == record and uscc.history.count() == 1


def test_bad_rows_are_reported_by_line_and_the_good_ones_kept():
    bad_uscc = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    record = _import(
        csv_bytes(
            f"uscc,{USCC},商户黑名单,,",  # line 2: good
            f"uscc,{bad_uscc},商户黑名单,,",  # line 3: wrong check character
            "id_number,110105199001011234,个人风险名单,,",  # line 4: wrong check digit
            "mid,12345,商户黑名单,,",  # line 5: not 15 digits
            f"passport,{USCC},商户黑名单,,",  # line 6: unknown kind
            f"mid,{MID},商户黑名单,,30/11/2026",  # line 7: not a date
            f"mid,{MID},,,",  # line 8: no list
            f"id_number,{ID},个人风险名单,,",  # line 9: good
        )
    )
    assert [e["row"] for e in record.errors] == [3, 4, 5, 6, 7, 8]
    assert "unified social credit code" in record.errors[0]["message"]
    assert "resident ID number" in record.errors[1]["message"]
    assert "15 digits" in record.errors[2]["message"]
    assert "passport" in record.errors[3]["message"]
    assert "YYYY-MM-DD" in record.errors[4]["message"]
    assert (record.rows_total, record.rows_added, record.rows_failed) == (8, 2, 6)
    assert set(RiskListEntry.objects.values_list("kind", flat=True)) == {"uscc", "id_number"}


def test_a_byte_order_mark_and_a_blank_last_line_are_fine():
    record = _import(csv_bytes(f"uscc,{USCC},商户黑名单,,", "", bom=True))
    assert (record.rows_added, record.errors) == (1, [])


def test_the_list_can_be_given_for_the_whole_file():
    record = _import(csv_bytes(f"uscc,{USCC}", header="KIND,Value"), default_source="风险商户")
    assert record.rows_added == 1
    assert RiskListEntry.objects.get().source == "风险商户"


def test_an_id_number_is_kept_as_its_keyed_hash_and_masked():
    _import(csv_bytes(f"id_number,{ID.lower()},个人风险名单,,"))
    entry = RiskListEntry.objects.get()
    assert entry.value == id_number_digest(ID) and ID not in entry.value
    assert entry.shown == ID[:6] + "********" + ID[-4:]
    assert not RiskListEntry.history.filter(value=ID).exists()


def test_a_wrong_id_number_is_not_echoed_in_the_errors():
    record = _import(csv_bytes("id_number,110105199001011234,个人风险名单,,"))
    assert "110105199001011234" not in str(record.errors)


def test_importing_the_same_file_again_adds_nothing_twice():
    data = csv_bytes(f"uscc,{USCC},商户黑名单,,", f"uscc,{USCC},商户黑名单,,")
    first = _import(data)
    second = _import(data)
    assert (first.rows_added, first.rows_already) == (1, 1)
    assert (second.rows_added, second.rows_already) == (0, 2)
    assert RiskListEntry.objects.count() == 1


def test_the_same_value_on_another_list_is_another_entry():
    _import(csv_bytes(f"uscc,{USCC},商户黑名单,,", f"uscc,{USCC},涉赌涉诈名单,,"))
    assert RiskListEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("kind,value\r\n".encode("utf-16"), "UTF-8"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"type,number\r\nuscc,1\r\n", "kind, value"),
        (b"", "kind, value"),
    ],
)
def test_a_file_that_cannot_be_read_imports_nothing(data, message):
    with pytest.raises(ValidationError, match=message):
        _import(data)
    assert not RiskListImport.objects.exists() and not RiskListEntry.objects.exists()


def test_the_import_is_recorded_with_who_and_when():
    actor = lead()
    record = _import(csv_bytes(f"uscc,{USCC},商户黑名单,,"), actor=actor)
    assert record.imported_by == actor and record.imported_at is not None
    assert record.file_name == "list.csv"


def test_only_staff_with_the_permission_import():
    with pytest.raises(PermissionDenied):
        _import(csv_bytes(f"uscc,{USCC},商户黑名单,,"), actor=reviewer())
    assert not RiskListEntry.objects.exists()
