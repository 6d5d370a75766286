"""Block / allow lists: CSV upload keeps the good rows and reports the bad ones by line."""

from __future__ import annotations

import pytest

from tests.factories import StaffFactory
from transactions.models import ListKind, RuleList, RuleListEntry
from transactions.rules.lists import list_upload_csv

pytestmark = pytest.mark.django_db


def a_list(kind: str = ListKind.TID) -> RuleList:
    return RuleList.objects.create(code=f"l-{kind}", name="list", kind=kind, purpose="block")


def test_good_rows_are_added_and_bad_ones_reported_by_line():
    tids = a_list()
    data = b"value,note\nA1B2C3D4,shop A\nbad,too short\n12345678,\nA1B2C3D4,again\n"
    result = list_upload_csv(rule_list=tids, data=data, actor=StaffFactory())
    assert result.added == 2 and result.already == 1
    assert [line for line, _m in result.errors] == [3]
    assert "8 characters" in result.errors[0][1]
    assert set(tids.entries.values_list("value", flat=True)) == {"A1B2C3D4", "12345678"}
    assert RuleListEntry.history.count() == 2


def test_a_card_length_number_is_refused_and_not_repeated():
    cards = a_list(ListKind.CARD_TOKEN)
    result = list_upload_csv(
        rule_list=cards, data=b"value\n4111111111111111\ntok-1\n", actor=StaffFactory()
    )
    assert result.added == 1
    ((line, message),) = result.errors
    assert line == 2 and "full card number" in message and "4111" not in message


def test_regions_and_mids_are_checked():
    regions, mids = a_list(ListKind.REGION), a_list(ListKind.MID)
    assert list_upload_csv(rule_list=regions, data=b"value\n31\n99\n", actor=None).errors[0][0] == 3
    assert (
        list_upload_csv(rule_list=mids, data=b"value\n898310054110001\n1\n", actor=None).added == 1
    )


def test_a_file_without_a_value_column_adds_nothing():
    tids = a_list()
    result = list_upload_csv(rule_list=tids, data=b"tid\nA1B2C3D4\n", actor=None)
    assert result.errors == [(1, "The first line must name the columns: value, note.")]
    assert not tids.entries.exists()


def test_a_file_that_is_not_utf8_adds_nothing():
    result = list_upload_csv(rule_list=a_list(), data=b"value\n\xff\xfe", actor=None)
    assert result.errors[0][0] == 1
