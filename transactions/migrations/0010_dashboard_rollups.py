# Daily rollups per merchant behind the dashboard (written by hand).
from datetime import timedelta
from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncDate

# Frozen here, as they were when this migration was written: a migration runs against the models
# of its own time (apps.get_model), never against today's services, whose models may have moved on.
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_DEADLINE_HOURS = 24


def count_existing_reports(apps, schema_editor):
    """Backfill the merchants' days, their mix and their cards from the reports already stored.

    Set-based on the historical models (``INSERT ... SELECT``, a window ``MIN`` for each card's
    first day), with the definitions of ``transactions/analytics/rollups.py`` at this migration:
    a report's day is its Beijing day; late is received after the merchant's deadline (24 h
    without reporting settings); a repeat sale is a card sale after the card's first day at the
    merchant. Only a database that already holds reports has anything to count.
    """
    Report = apps.get_model("transactions", "Report")
    alias = schema_editor.connection.alias
    if not Report.objects.using(alias).exists():
        return
    reports = (
        Report.objects.using(alias)
        .order_by()
        .annotate(day=TruncDate("occurred_at", tzinfo=SHANGHAI))
    )
    mix = reports.values("merchant_id", "day", "method", "type").annotate(
        reports=Count("*"), amount=Sum("amount")
    )
    _insert_select(
        schema_editor,
        apps.get_model("transactions", "MerchantDayMix"),
        ["merchant_id", "day", "method", "type", "reports", "amount"],
        mix,
    )
    late = Case(
        When(_late_q(apps, alias), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    health = (
        reports.annotate(is_late=late)
        .values("merchant_id", "day")
        .annotate(
            reports=Count("*"),
            late=Count("pk", filter=Q(is_late=True)),
            card_sales=Value(0),
            repeat_sales=Value(0),
        )
    )
    _insert_select(
        schema_editor,
        apps.get_model("transactions", "MerchantDay"),
        ["merchant_id", "day", "reports", "late", "card_sales", "repeat_sales"],
        health,
    )
    card_days = (
        reports.filter(type="sale")
        .exclude(card_token="")
        .values("merchant_id", "card_token", "day")
        .annotate(n=Count("*"))
    )
    _count_cards(apps, schema_editor, card_days)


def _late_q(apps, alias):
    """Received after the merchant's deadline: one condition per deadline in use."""
    settings = apps.get_model("merchants", "ReportingSettings").objects.using(alias)
    late = Q(
        merchant__reporting__isnull=True,
        received_at__gt=F("occurred_at") + timedelta(hours=DEFAULT_DEADLINE_HOURS),
    )
    for hours in set(settings.values_list("deadline_hours", flat=True)):
        late |= Q(
            merchant__reporting__deadline_hours=hours,
            received_at__gt=F("occurred_at") + timedelta(hours=hours),
        )
    return late


def _count_cards(apps, schema_editor, card_days):
    """Each card's first day and first-day sales; each merchant day's card and repeat sales."""
    connection = schema_editor.connection
    inner, params = card_days.query.get_compiler(using=connection.alias).as_sql()
    windowed = (
        "SELECT merchant_id, card_token, day, n, "
        f"MIN(day) OVER (PARTITION BY merchant_id, card_token) AS first_day FROM ({inner}) g"
    )
    cards = connection.ops.quote_name(apps.get_model("transactions", "MerchantCard")._meta.db_table)
    days = connection.ops.quote_name(apps.get_model("transactions", "MerchantDay")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {cards} (merchant_id, card_token, first_day, first_day_sales) "
            "SELECT merchant_id, card_token, first_day, "
            "SUM(CASE WHEN day = first_day THEN n ELSE 0 END) "
            f"FROM ({windowed}) w GROUP BY merchant_id, card_token, first_day",
            params,
        )
        # Every card sale's merchant day has its row already (inserted above with the reports).
        # "WHERE 1 = 1": SQLite reads ON CONFLICT after a bare FROM as a join constraint.
        cursor.execute(
            f"INSERT INTO {days} (merchant_id, day, reports, late, card_sales, repeat_sales) "
            "SELECT merchant_id, day, 0, 0, SUM(n), SUM(CASE WHEN day > first_day THEN n ELSE 0 END) "
            f"FROM ({windowed}) w WHERE 1 = 1 GROUP BY merchant_id, day "
            "ON CONFLICT (merchant_id, day) DO UPDATE SET "
            "card_sales = excluded.card_sales, repeat_sales = excluded.repeat_sales",
            params,
        )


def _insert_select(schema_editor, model, columns, rows):
    """``INSERT INTO model (columns) SELECT ...``: ``rows`` yields the columns in that order."""
    connection = schema_editor.connection
    sql, params = rows.query.get_compiler(using=connection.alias).as_sql()
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM ({sql}) q", params)


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
