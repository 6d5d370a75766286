"""Migration 0011 encrypts the contacts already stored, history rows included, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("merchants", "0010_loose_ends")]
AFTER = [("merchants", "0011_encrypted_contacts")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def raw(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT contact_phone, contact_email FROM {table}")
        return cursor.fetchall()


def test_stored_contacts_are_encrypted_and_decrypted_back():
    old = migrate(BEFORE)
    merchant = old.get_model("merchants", "Merchant").objects.create(
        contact_phone="+8613912345678", contact_email="boss@example.com"
    )
    old.get_model("merchants", "Merchant").objects.create(contact_phone="", contact_email="")
    old.get_model("merchants", "HistoricalMerchant").objects.create(
        id=merchant.pk,
        contact_phone="+8613912345678",
        contact_email="boss@example.com",
        created_at=timezone.now(),
        updated_at=timezone.now(),
        history_date=timezone.now(),
        history_type="+",
    )

    # Read through the models as of 0011: the current model may have columns added since.
    new = migrate(AFTER)
    merchants = new.get_model("merchants", "Merchant").objects
    for table in ("merchants_merchant", "merchants_historicalmerchant"):
        assert "13912345678" not in str(raw(table)), table
        assert "boss@" not in str(raw(table)), table
    fresh = merchants.get(pk=merchant.pk)
    assert (fresh.contact_phone, fresh.contact_email) == ("+8613912345678", "boss@example.com")
    history = new.get_model("merchants", "HistoricalMerchant").objects.get(id=merchant.pk)
    assert history.contact_email == "boss@example.com"
    assert merchants.exclude(pk=merchant.pk).get().contact_phone == ""

    migrate(BEFORE)
    assert sorted(raw("merchants_merchant")) == [("", ""), ("+8613912345678", "boss@example.com")]
    assert raw("merchants_historicalmerchant") == [("+8613912345678", "boss@example.com")]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
