"""``manage.py issue_terminal_key <serial-number>``: issue or rotate a terminal's API key.

Prints one JSON object (shared/API.md): {"key": ..., "secret": ..., "terminal": <serial>}.
The previous key is revoked.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from merchants.models import Terminal
from merchants.terminals.services import terminal_key_issue


class Command(BaseCommand):
    help = "Issue a new API key for a terminal (revoking its previous one) and print it as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("serial_number")

    def handle(self, *args: object, serial_number: str, **options: object) -> None:
        try:
            terminal = Terminal.objects.get(serial_number=serial_number)
        except Terminal.DoesNotExist:
            raise CommandError(f"No terminal with serial number {serial_number!r}.") from None
        try:
            key, secret = terminal_key_issue(terminal=terminal)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            json.dumps({"key": key.key_id, "secret": secret, "terminal": terminal.serial_number})
        )
