"""``manage.py archive_reports --month 2024-09`` / ``--due``: archive months now, as beat does.

Writes the month's reports to Parquet (one file per merchant, a manifest with checksums), reads
them back to verify, and only then removes from the hot table the reports nothing refers to.
A month inside the hot window, in the future or written wrongly is refused with the reason.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from transactions.archive.months import MonthError, archivable_month
from transactions.archive.services import archive_due, archive_month_run
from transactions.models import ArchiveStatus


class Command(BaseCommand):
    help = "Archive one month (--month YYYY-MM) or every month past the hot window (--due)."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", help="The Beijing month to archive, as YYYY-MM.")
        which.add_argument("--due", action="store_true", help="Every month past the hot window.")
        parser.add_argument("--batch-rows", type=int, default=None, help="Rows per row group.")

    def handle(self, *args: object, month: str | None, due: bool, **options: object) -> None:
        batch_rows = options.get("batch_rows")
        if batch_rows is not None and int(str(batch_rows)) < 1:
            raise CommandError("--batch-rows must be at least 1.")
        if due:
            results = archive_due()
            for result in results:
                self.stdout.write(
                    f"{result['month']}: {result['status']}, {result['rows']} rows, "
                    f"{result['purged']} removed from the hot table, {result['kept_hot']} kept"
                )
                for problem in result["problems"]:
                    self.stderr.write(f"  {problem}")
            self.stdout.write(f"{len(results)} month(s) archived.")
            if any(result["problems"] for result in results):
                raise CommandError("Some archive files failed their check; see above.")
            return
        try:
            archive_month, problems = archive_month_run(
                month=archivable_month(str(month)),
                batch_rows=int(str(batch_rows)) if batch_rows else None,
            )
        except MonthError as exc:
            raise CommandError(str(exc)) from exc
        for problem in problems:
            self.stderr.write(str(problem))
        if problems or archive_month.status == ArchiveStatus.DAMAGED:
            raise CommandError(
                f"{archive_month}: the files failed their check; the month is marked damaged "
                "and its reports stay in the database."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{archive_month}: {archive_month.get_status_display()}, "
                f"{archive_month.row_count} rows in {archive_month.files.count()} file(s), "
                f"{archive_month.purged_rows} removed from the hot table, "
                f"{archive_month.kept_hot} kept there."
            )
        )
