"""A BRIN index on the reports' transaction time (PostgreSQL only).

Reports arrive roughly in the order they happened, so a block-range index finds "the reports of
these hours" by reading only the blocks that hold them (the audit rules' look-around, the day
ranges of the dashboards), for a few kB of index and almost nothing per insert. A B-tree on
``occurred_at`` would cost every ingestion an extra index entry. SQLite has no BRIN; the embedded
default does without.
"""

from django.db import migrations

NAME = "report_occurred_brin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON transactions_report "
            "USING brin (occurred_at) WITH (pages_per_range = 16, autosummarize = on)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("transactions", "0006_terminal_days")]

    operations = [migrations.RunPython(create, drop)]
