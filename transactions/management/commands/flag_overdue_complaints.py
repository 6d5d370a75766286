"""Flag overdue complaints now, as the beat task does (for operators and cron-less setups)."""

from django.core.management.base import BaseCommand

from transactions.complaints.services import complaints_flag_overdue


class Command(BaseCommand):
    help = "Flag open complaints past their deadline and e-mail staff and the merchant (once each)."

    def handle(self, *args: object, **options: object) -> None:
        flagged = complaints_flag_overdue()
        self.stdout.write(f"{flagged} complaint(s) flagged overdue.")
