from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from merchants.risk.rating.services import rate_merchants
from transactions.complaints.cardholder.services import complaint_for_tracking
from transactions.demo.cardholder import (
    DEMO_TRACKING_CODE,
    DEMO_TRACKING_PATH,
    seed_cardholder_complaint,
)
from transactions.demo.complaints import seed_complaints
from transactions.demo.inspections import seed_inspections
from transactions.demo.merchants import DEMO_BACKUP_CODE, DEMO_PASSWORD, seed_demo
from transactions.demo.reconciliation import seed_reconciliation
from transactions.demo.reports import seed_alerts, seed_reports
from transactions.demo.risk_changes import seed_change_requests
from transactions.rules.examples import examples_install


class Command(BaseCommand):
    help = (
        "Create the demo data set (idempotent) and print the demo logins. Development only "
        "(DEBUG=true, as scripts/run sets); --force to run it anyway."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run without DEBUG: creates staff, a superuser among them, with a known "
            "password and backup code.",
        )

    def handle(self, *args, **options) -> None:
        # The demo staff sign in with a published password and backup code: never by accident
        # on a deployment, where DEBUG is off.
        if not (settings.DEBUG or options["force"]):
            raise CommandError(
                "seed_demo creates staff accounts with a known password and backup code; it "
                "runs only with DEBUG=true. Use --force if this really is a demo system."
            )
        logins = seed_demo()
        reports = seed_reports()
        if reports:
            self.stdout.write(f"{reports} demo reports stored.")
        alerts = seed_alerts()
        if alerts:
            self.stdout.write(f"{alerts} demo alerts raised by the first audit.")
        seed_complaints()
        seed_cardholder_complaint()
        seed_reconciliation()
        seed_change_requests()
        # What the nightly beat task would do: every approved merchant gets its risk level.
        rated = rate_merchants(trigger="seed_demo")
        self.stdout.write(f"{rated.rated} merchants rated ({rated.changed} changes of level).")
        if seed_inspections() is not None:
            self.stdout.write("An on-site inspection of shop-sh, assigned to reviewer (admin).")
        examples = examples_install()
        if examples:
            self.stdout.write(
                f"{len(examples)} example data rules written as drafts (admin: Data rules)."
            )
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
        if complaint_for_tracking(code=DEMO_TRACKING_CODE) is not None:
            self.stdout.write(
                f"Cardholder complaint: tracking code {DEMO_TRACKING_CODE} at "
                f"http://127.0.0.1:8000/cardholder/track/ (or http://127.0.0.1:8000{DEMO_TRACKING_PATH})"
            )
