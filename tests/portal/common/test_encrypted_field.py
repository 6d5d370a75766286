"""Bank account numbers and terminal secrets are encrypted at rest."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from merchants.models import Merchant
from portal.common import crypto
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def _raw_account_column(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account_number FROM merchants_merchant WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_account_number_is_ciphertext_in_the_database():
    merchant = MerchantFactory(bank_account_number="6222021234567890123")
    raw = _raw_account_column(merchant.pk)
    assert "6222021234567890123" not in raw
    assert crypto.decrypt(raw) == "6222021234567890123"


def test_account_number_reads_back_as_plaintext():
    merchant = MerchantFactory(bank_account_number="6222021234567890123")
    assert Merchant.objects.get(pk=merchant.pk).bank_account_number == "6222021234567890123"


def test_same_value_encrypts_differently_each_time():
    a = MerchantFactory(bank_account_number="6222021234567890123")
    b = MerchantFactory(bank_account_number="6222021234567890123")
    assert _raw_account_column(a.pk) != _raw_account_column(b.pk)


def test_old_key_still_decrypts_after_rotation(settings):
    merchant = MerchantFactory(bank_account_number="6222021234567890123")
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    assert Merchant.objects.get(pk=merchant.pk).bank_account_number == "6222021234567890123"
    rotated = crypto.rotate(_raw_account_column(merchant.pk))
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert crypto.decrypt(rotated) == "6222021234567890123"


def test_history_does_not_keep_the_account_number():
    merchant = MerchantFactory(bank_account_number="6222021234567890123")
    assert not hasattr(merchant.history.latest(), "bank_account_number")


def test_empty_value_stays_empty():
    merchant = MerchantFactory(bank_account_number="", bank_account_last4="")
    assert _raw_account_column(merchant.pk) == ""
