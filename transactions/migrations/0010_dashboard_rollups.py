# Daily rollups per merchant behind the dashboard (written by hand).
import django.db.models.deletion
from django.db import migrations, models


def count_existing_reports(apps, schema_editor):
    # Only a database that already holds reports needs the backfill: the merchants' days, their
    # mix and their cards, counted from the reports in SQL (INSERT ... SELECT), like 0006.
    if apps.get_model("transactions", "Report").objects.exists():
        from transactions.analytics.rollups import merchant_days_rebuild

        merchant_days_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0002_staff_groups"),
        ("transactions", "0009_complaints_reconciliation_data"),
    ]

    operations = [
        migrations.CreateModel(
            name="MerchantCard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("card_token", models.CharField(max_length=64, verbose_name="card token")),
                ("first_day", models.DateField(verbose_name="first seen")),
                (
                    "first_day_sales",
                    models.IntegerField(default=0, verbose_name="sales on the first day"),
                ),
                (
                    "merchant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cards",
                        to="merchants.merchant",
                        verbose_name="merchant",
                    ),
                ),
            ],
            options={
                "verbose_name": "merchant card",
                "verbose_name_plural": "merchant cards",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("merchant", "card_token"), name="merchant_card_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MerchantDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("reports", models.IntegerField(default=0, verbose_name="reports")),
                ("late", models.IntegerField(default=0, verbose_name="late")),
                ("card_sales", models.IntegerField(default=0, verbose_name="card sales")),
                ("repeat_sales", models.IntegerField(default=0, verbose_name="repeat card sales")),
                (
                    "merchant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="merchant_days",
                        to="merchants.merchant",
                        verbose_name="merchant",
                    ),
                ),
            ],
            options={
                "verbose_name": "merchant day",
                "verbose_name_plural": "merchant days",
                "indexes": [models.Index(fields=["day"], name="merchant_day_day")],
                "constraints": [
                    models.UniqueConstraint(fields=("merchant", "day"), name="merchant_day_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="MerchantDayMix",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("method", models.CharField(max_length=12, verbose_name="payment method")),
                ("type", models.CharField(max_length=20, verbose_name="type")),
                ("reports", models.IntegerField(default=0, verbose_name="reports")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="amount"
                    ),
                ),
                (
                    "merchant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="merchant_day_mixes",
                        to="merchants.merchant",
                        verbose_name="merchant",
                    ),
                ),
            ],
            options={
                "verbose_name": "merchant day by method and type",
                "verbose_name_plural": "merchant days by method and type",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("merchant", "day", "method", "type"), name="merchant_day_mix_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ComplianceOverview",
            fields=[],
            options={
                "verbose_name": "compliance overview",
                "verbose_name_plural": "compliance overview",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("transactions.alert",),
        ),
        migrations.RunPython(count_existing_reports, migrations.RunPython.noop),
    ]
