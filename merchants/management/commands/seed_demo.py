from django.core.management.base import BaseCommand

from merchants.demo import DEMO_BACKUP_CODE, DEMO_PASSWORD, seed_demo
from transactions.demo import seed_alerts, seed_reports
from transactions.demo_complaints import seed_complaints
from transactions.demo_reconciliation import seed_reconciliation


class Command(BaseCommand):
    help = "Create the demo data set (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        logins = seed_demo()
        reports = seed_reports()
        if reports:
            self.stdout.write(f"{reports} demo reports stored.")
        alerts = seed_alerts()
        if alerts:
            self.stdout.write(f"{alerts} demo alerts raised by the first audit.")
        seed_complaints()
        seed_reconciliation()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for username, what in logins:
            self.stdout.write(f"  {username:<16} {what}")
        self.stdout.write(
            f"Staff two-factor step: backup code {DEMO_BACKUP_CODE} (topped up by each seed_demo)."
        )
        self.stdout.write(
            "Portal: http://127.0.0.1:8000/   Compliance admin: http://127.0.0.1:8000/admin/"
        )
