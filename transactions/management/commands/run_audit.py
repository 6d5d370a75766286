"""``manage.py run_audit [--async]``: audit what arrived since the last run, now.

In this process by default, printing the run's window, findings by rule, alerts and duration;
with ``--async`` the run is queued for the Celery workers instead (as beat does).
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from transactions.audit.runner import audit_enqueue, audit_run_now

TRIGGER = "shell"


class Command(BaseCommand):
    help = "Run an incremental audit now (or queue it for the workers with --async)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--async",
            action="store_true",
            dest="queue",
            help="Queue the audit for the Celery workers instead of running it here.",
        )

    def handle(self, *args: object, queue: bool, **options: object) -> None:
        if queue:
            task_id = audit_enqueue(trigger=TRIGGER)
            self.stdout.write(f"Audit queued for the workers (task {task_id}).")
            return
        try:
            run = audit_run_now(trigger=TRIGGER)
        except Exception as exc:
            # The runner has recorded the run as failed; the operator needs the reason.
            raise CommandError(f"The audit failed: {exc!r}") from exc
        start, end = (timezone.localtime(t) for t in (run.window_start, run.window_end))
        self.stdout.write(
            f"Audit run #{run.pk}: reports received after {start:%Y-%m-%d %H:%M:%S} "
            f"until {end:%Y-%m-%d %H:%M:%S} ({end:%Z}), {len(run.rules)} rule(s)."
        )
        for code in run.rules:
            self.stdout.write(f"  {code:<24} {run.counts.get(code, 0):>6} finding(s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.alerts_created} alert(s) created, {run.alerts_updated} updated "
                f"in {run.duration_ms} ms."
            )
        )
