"""The merchant's contact phone and e-mail are a person's: encrypted at rest, history rows too."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from merchants.models import Merchant, Role
from tests.factories import MembershipFactory, MerchantFactory, StaffFactory

pytestmark = pytest.mark.django_db


def raw(table: str, where: str, value: int) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT contact_phone, contact_email FROM {table} WHERE {where} = %s",
            [value],
        )
        return cursor.fetchall()


def test_the_columns_hold_no_clear_text_and_the_model_reads_it_back():
    merchant = MerchantFactory(contact_phone="+8613912345678", contact_email="boss@example.com")
    [(phone, email)] = raw("merchants_merchant", "id", merchant.pk)
    assert "13912345678" not in phone
    assert "boss" not in email
    fresh = Merchant.objects.get(pk=merchant.pk)
    assert (fresh.contact_phone, fresh.contact_email) == ("+8613912345678", "boss@example.com")


def test_history_rows_hold_no_clear_text_and_still_tell_the_change():
    merchant = MerchantFactory(contact_phone="+8613912345678", contact_email="boss@example.com")
    merchant.contact_email = "new.boss@example.com"
    merchant.save()
    rows = raw("merchants_historicalmerchant", "id", merchant.pk)
    assert len(rows) == 2
    for phone, email in rows:
        assert "13912345678" not in phone
        assert "boss" not in email
    newest, oldest = merchant.history.order_by("-history_id")
    [change] = newest.diff_against(oldest).changes
    assert (change.field, change.old, change.new) == (
        "contact_email",
        "boss@example.com",
        "new.boss@example.com",
    )


def test_the_application_form_saves_the_contact_encrypted(client):
    merchant = MerchantFactory(contact_phone="", contact_email="")
    client.force_login(MembershipFactory(merchant=merchant, role=Role.OWNER).user)
    page = client.get(reverse("merchants:application")).content.decode()
    assert 'name="contact_phone"' in page
    assert "<textarea" not in page  # one-line inputs, as before the columns were encrypted
    data = {"contact_phone": "13900139000", "contact_email": "tea@example.com"}
    response = client.post(reverse("merchants:application"), data)
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert (merchant.contact_phone, merchant.contact_email) == ("+8613900139000", "tea@example.com")
    [(phone, email)] = raw("merchants_merchant", "id", merchant.pk)
    assert "13900139000" not in phone and "tea@" not in email


@pytest.mark.parametrize(
    ("field", "value"),
    [("contact_email", "not-an-email"), ("contact_phone", "1" * 21), ("contact_phone", "12345")],
)
def test_the_form_still_refuses_a_bad_contact(client, field, value):
    merchant = MerchantFactory(contact_phone="", contact_email="")
    client.force_login(MembershipFactory(merchant=merchant, role=Role.OWNER).user)
    response = client.post(reverse("merchants:application"), {field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    merchant.refresh_from_db()
    assert merchant.contact_phone == "" and merchant.contact_email == ""


def test_the_admin_shows_the_contact_and_still_searches(client):
    merchant = MerchantFactory(
        legal_name="上海示例超市有限公司", contact_phone="+8613912345678", contact_email="b@x.cn"
    )
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    page = client.get(reverse("admin:merchants_merchant_change", args=[merchant.pk]))
    assert page.status_code == 200
    assert "+8613912345678" in page.content.decode()
    assert "b@x.cn" in page.content.decode()
    found = client.get(reverse("admin:merchants_merchant_changelist"), {"q": "示例超市"})
    assert found.status_code == 200
    assert list(found.context["cl"].result_list) == [merchant]
