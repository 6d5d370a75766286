import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from merchants.models import TerminalKey, TerminalStatus
from tests.factories import TerminalFactory

pytestmark = pytest.mark.django_db


def _issue(serial):
    out = StringIO()
    call_command("issue_terminal_key", serial, stdout=out)
    return json.loads(out.getvalue())


def test_prints_one_json_object_with_key_secret_and_terminal():
    terminal = TerminalFactory(active=True)
    issued = _issue(terminal.serial_number)
    assert set(issued) == {"key", "secret", "terminal"}
    assert issued["terminal"] == terminal.serial_number
    assert TerminalKey.objects.get(key_id=issued["key"]).secret == issued["secret"]


def test_issuing_again_revokes_the_previous_key():
    terminal = TerminalFactory(active=True)
    first = _issue(terminal.serial_number)
    second = _issue(terminal.serial_number)
    assert TerminalKey.objects.get(key_id=first["key"]).revoked_at is not None
    assert TerminalKey.objects.get(key_id=second["key"]).revoked_at is None


def test_unknown_serial_number_is_a_clear_error():
    with pytest.raises(CommandError, match="No terminal with serial number 'NOPE'"):
        call_command("issue_terminal_key", "NOPE", stdout=StringIO())


def test_retired_terminal_gets_no_key():
    terminal = TerminalFactory(status=TerminalStatus.RETIRED, tid="87654321")
    with pytest.raises(CommandError, match="retired"):
        call_command("issue_terminal_key", terminal.serial_number, stdout=StringIO())
