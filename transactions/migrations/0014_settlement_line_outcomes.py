"""Outcomes of settlement lines in a table of their own (see SettlementLineOutcome)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transactions", "0013_settlement_file_once_per_ledger"),
    ]

    operations = [
        migrations.CreateModel(
            name="SettlementLineOutcome",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "file",
                        "line",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "reported_amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=12,
                        null=True,
                        verbose_name="reported amount",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("matched", "Matched"),
                            ("amount_mismatch", "Amount mismatch"),
                            ("reported_not_settled", "Reported but not settled"),
                            ("settled_not_reported", "Settled but not reported"),
                            ("duplicate_in_file", "Duplicate in file"),
                        ],
                        max_length=24,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "file",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="transactions.settlementfile",
                    ),
                ),
                (
                    "line",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outcomes",
                        to="transactions.settlementline",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="settlement_outcomes",
                        to="transactions.report",
                    ),
                ),
            ],
            options={
                "verbose_name": "settlement line outcome",
                "verbose_name_plural": "settlement line outcomes",
            },
        ),
        # The outcomes matching stored on the lines so far move to their own table.
        migrations.RunSQL(
            sql="""
                INSERT INTO transactions_settlementlineoutcome
                    (file_id, line_id, report_id, reported_amount, outcome)
                SELECT file_id, id, report_id, reported_amount, outcome
                FROM transactions_settlementline WHERE outcome <> ''
            """,
            reverse_sql="""
                UPDATE transactions_settlementline SET report_id = o.report_id,
                    reported_amount = o.reported_amount, outcome = o.outcome
                FROM transactions_settlementlineoutcome AS o
                WHERE o.line_id = transactions_settlementline.id
            """,
        ),
        migrations.RemoveField(
            model_name="settlementline",
            name="outcome",
        ),
        migrations.RemoveField(
            model_name="settlementline",
            name="report",
        ),
        migrations.RemoveField(
            model_name="settlementline",
            name="reported_amount",
        ),
    ]
