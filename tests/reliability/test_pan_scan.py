"""The card-data scanner finds full card numbers and leaves look-alike identifiers alone."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from tests.factories import MerchantFactory, make_id_number, make_uscc
from tests.reliability.pan_scan import (
    PanScanPlugin,
    find_pans,
    mask,
    scan_database,
    scan_lines,
)

PAN = "6222021234567890128"  # UnionPay, passes Luhn


@pytest.mark.parametrize(
    "text",
    [
        PAN,
        f"card={PAN};",
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "3782 822463 10005",
        "378282246310005",
        f"卡号{PAN}已收到",
    ],
)
def test_full_card_numbers_are_found(text):
    assert find_pans(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # 16 digits, fails Luhn
        "331234567890",  # an RRN: 12 digits
        "898310054110001",  # a 15-digit merchant ID
        "1764092183000",  # a Unix time in milliseconds
        "41111111111111111111",  # 20 digits: some other number
        "a41111111111111111f0" + "0" * 30,  # inside a hex digest
        "4111 1111 1111-1111",  # mixed separators are not a typed card number
        "2026-11-25 17:36:23",
    ],
)
def test_look_alike_numbers_are_ignored(text):
    assert find_pans(text) == []


@pytest.mark.parametrize("seed", range(40))
def test_chinese_registration_numbers_are_ignored(seed):
    assert find_pans(make_uscc(seed)) == []
    assert find_pans(make_id_number(seed)) == []


def test_the_finding_shows_only_a_masked_number():
    [finding] = scan_lines([f"INFO paid with {PAN}"], "test.log")
    assert str(finding) == "test.log:1: 622202*********0128"
    assert PAN not in str(finding)
    assert mask("4111111111111111") == "411111******1111"


@pytest.mark.django_db
def test_a_pan_planted_in_the_database_is_found():
    planted = Group.objects.create(name=f"paid with {PAN}")
    found = [str(finding) for finding in scan_database(connection, ["auth_group"])]
    # Leave no PAN behind: the plugin scans each test's writes before its rollback.
    planted.delete()
    assert found == ["auth_group.name: 622202*********0128"]


@pytest.mark.django_db
def test_factory_data_holds_no_pan():
    MerchantFactory.create_batch(3, approved=True)
    assert scan_database(connection, ["merchants_merchant"]) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the per-test scan is PostgreSQL's")
def test_the_per_test_scan_sees_what_the_test_wrote():
    planted = Group.objects.create(name=f"paid with {PAN}")
    found = [str(finding) for finding in PanScanPlugin()._scan_after_test()]
    planted.delete()
    assert found == ["auth_group.name: 622202*********0128"]
