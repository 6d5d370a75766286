"""The merchant registers terminals and manages their API keys in the portal."""

import re

import pytest
from django.urls import reverse

from merchants.models import Role, Terminal, TerminalKey
from merchants.terminals.services import terminal_key_issue
from tests.factories import MembershipFactory, MerchantFactory, TerminalFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "serial_number": "pax-0001",
    "model_name": "PAX A920",
    "province": "31",
    "city": "上海市",
    "district": "黄浦区",
    "address": "南京东路1号",
    "latitude": "31.238",
    "longitude": "121.484",
}


def _login(client, role=Role.OWNER, **merchant):
    membership = MembershipFactory(
        merchant=MerchantFactory(**{"approved": True, **merchant}), role=role
    )
    client.force_login(membership.user)
    return membership.merchant


def test_register_a_terminal_pending_a_tid(client):
    merchant = _login(client)
    response = client.post(reverse("merchants:terminals"), GOOD)
    terminal = Terminal.objects.get(merchant=merchant)
    assert response["Location"] == reverse("merchants:terminal_detail", args=[terminal.pk])
    assert (terminal.serial_number, terminal.status, terminal.tid) == ("PAX-0001", "pending", None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("serial_number", ""),
        ("latitude", "200"),
        ("longitude", "-181"),
        ("province", "99"),
        ("address", ""),
    ],
)
def test_bad_terminal_input_is_a_field_error(client, field, value):
    _login(client)
    response = client.post(reverse("merchants:terminals"), {**GOOD, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Terminal.objects.exists()


def test_duplicate_serial_number_is_refused(client):
    _login(client)
    TerminalFactory(serial_number="PAX-0001")
    response = client.post(reverse("merchants:terminals"), GOOD)
    assert "serial_number" in response.context["form"].errors


def test_unapproved_merchant_cannot_register(client):
    _login(client, approved=False)
    assert client.post(reverse("merchants:terminals"), GOOD).status_code == 403
    assert not Terminal.objects.exists()


def test_viewer_cannot_register(client):
    _login(client, role=Role.VIEWER)
    assert client.post(reverse("merchants:terminals"), GOOD).status_code == 403


def test_terminal_list_shows_only_own_terminals(client):
    merchant = _login(client)
    mine = TerminalFactory(merchant=merchant)
    other = TerminalFactory()
    page = client.get(reverse("merchants:terminals")).content.decode()
    assert mine.serial_number in page
    assert other.serial_number not in page


def test_rotate_key_shows_the_secret_once_and_revokes_the_old_one(client):
    merchant = _login(client)
    terminal = TerminalFactory(merchant=merchant, active=True)
    old, _ = terminal_key_issue(terminal=terminal)
    response = client.post(reverse("merchants:terminal_key_rotate", args=[terminal.pk]))
    new = TerminalKey.objects.get(terminal=terminal, revoked_at__isnull=True)
    assert response.context["new_secret"] == new.secret
    assert new.secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    old.refresh_from_db()
    assert old.revoked_at is not None
    later = client.get(reverse("merchants:terminal_detail", args=[terminal.pk])).content.decode()
    assert new.key_id in later
    assert new.secret not in later


def test_revoke_key(client):
    merchant = _login(client)
    terminal = TerminalFactory(merchant=merchant, active=True)
    key, _ = terminal_key_issue(terminal=terminal)
    client.post(reverse("merchants:terminal_key_revoke", args=[terminal.pk, key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_staff_member_cannot_rotate_keys(client):
    merchant = _login(client, role=Role.STAFF)
    terminal = TerminalFactory(merchant=merchant, active=True)
    assert (
        client.post(reverse("merchants:terminal_key_rotate", args=[terminal.pk])).status_code == 403
    )
    assert not TerminalKey.objects.exists()


def test_key_ids_hold_no_digits_that_could_read_as_a_card_number():
    terminal = TerminalFactory()
    ids = {terminal_key_issue(terminal=terminal)[0].key_id for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"tk_[a-z]{20}", key_id) for key_id in ids)
