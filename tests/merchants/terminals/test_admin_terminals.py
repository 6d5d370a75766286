"""Terminal operations in admin: TIDs, activation, suspension, keys."""

import re

import pytest
from django.urls import reverse

from merchants.models import Terminal, TerminalKey, TerminalStatus, TerminalTransition
from merchants.terminals.services import terminal_key_issue
from tests.factories import StaffFactory, TerminalFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:merchants_terminal_changelist")


@pytest.fixture
def lead_client(client):
    client.force_login(StaffFactory(groups=["compliance lead"]))
    return client


def _act(client, action, *terminals, **extra):
    data = {"action": action, "_selected_action": [t.pk for t in terminals], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_assign_tid_then_activate(lead_client):
    terminal = TerminalFactory()
    _act(lead_client, "assign_tid", terminal)
    terminal.refresh_from_db()
    assert re.fullmatch(r"\d{8}", terminal.tid)
    _act(lead_client, "activate", terminal)
    terminal.refresh_from_db()
    assert terminal.status == TerminalStatus.ACTIVE
    assert TerminalTransition.objects.get(terminal=terminal).to_status == TerminalStatus.ACTIVE


def test_activate_without_a_tid_is_refused(lead_client):
    terminal = TerminalFactory()
    response = _act(lead_client, "activate", terminal)
    assert "Assign a TID" in response.content.decode()
    assert Terminal.objects.get(pk=terminal.pk).status == TerminalStatus.PENDING


def test_assigning_a_tid_to_an_active_terminal_is_refused(lead_client):
    terminal = TerminalFactory(active=True)
    before = terminal.tid
    response = _act(lead_client, "assign_tid", terminal)
    assert "pending" in response.content.decode()
    assert Terminal.objects.get(pk=terminal.pk).tid == before


def test_suspend_needs_a_reason(lead_client):
    terminal = TerminalFactory(active=True)
    response = _act(lead_client, "suspend", terminal)
    assert 'name="reason"' in response.content.decode()
    assert Terminal.objects.get(pk=terminal.pk).status == TerminalStatus.ACTIVE
    _act(lead_client, "suspend", terminal, apply="1", reason="Reported stolen")
    assert Terminal.objects.get(pk=terminal.pk).status == TerminalStatus.SUSPENDED


def test_retire_revokes_its_keys(lead_client):
    terminal = TerminalFactory(active=True)
    key, _secret = terminal_key_issue(terminal=terminal)
    _act(lead_client, "retire", terminal, apply="1", reason="Broken")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_issue_key_shows_the_secret_once(lead_client):
    terminal = TerminalFactory(active=True)
    old, _ = terminal_key_issue(terminal=terminal)
    response = _act(lead_client, "issue_key", terminal)
    key = TerminalKey.objects.get(terminal=terminal, revoked_at__isnull=True)
    html = response.content.decode()
    assert key.key_id in html
    assert key.secret in html
    old.refresh_from_db()
    assert old.revoked_at is not None
    detail = lead_client.get(reverse("admin:merchants_terminal_change", args=[terminal.pk]))
    assert key.key_id in detail.content.decode()
    assert key.secret not in detail.content.decode()
    key_page = lead_client.get(reverse("admin:merchants_terminalkey_change", args=[key.pk]))
    assert key.secret not in key_page.content.decode()


def test_reviewer_cannot_manage_terminals(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    terminal = TerminalFactory()
    response = client.get(CHANGELIST)
    form = response.context["action_form"]
    actions = dict(form.fields["action"].choices) if form else {}
    assert "assign_tid" not in actions and "activate" not in actions
    _act(client, "assign_tid", terminal)
    assert Terminal.objects.get(pk=terminal.pk).tid is None


def test_tid_is_editable_only_while_pending(lead_client):
    pending = TerminalFactory()
    active = TerminalFactory(active=True)
    pending_form = lead_client.get(reverse("admin:merchants_terminal_change", args=[pending.pk]))
    active_form = lead_client.get(reverse("admin:merchants_terminal_change", args=[active.pk]))
    assert 'name="tid"' in pending_form.content.decode()
    assert 'name="tid"' not in active_form.content.decode()


def test_revoke_key_from_the_key_admin(lead_client):
    terminal = TerminalFactory(active=True)
    key, _ = terminal_key_issue(terminal=terminal)
    lead_client.post(
        reverse("admin:merchants_terminalkey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
