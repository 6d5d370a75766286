# History for complaint reasons and acquirers; the beat task that re-sends stalled uploads.

import django.db.models.deletion
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def schedule_stalled_uploads(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Re-send stalled uploads",
        defaults={"task": "transactions.tasks.requeue_stalled_uploads", "interval": every},
    )


class Migration(migrations.Migration):

    dependencies = [
        ('transactions', '0011_report_list_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalAcquirer',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('code', models.SlugField(max_length=30, verbose_name='code')),
                ('column_mapping', models.JSONField(default=dict, help_text="Our field name → the column header in the acquirer's file.", verbose_name='column mapping')),
                ('type_values', models.JSONField(blank=True, default=dict, help_text="The acquirer's type value → sale / refund / void / preauth_completion.", verbose_name='transaction types')),
                ('date_format', models.CharField(blank=True, help_text='Empty: ISO (2025-01-31).', max_length=30, verbose_name='date format')),
                ('time_format', models.CharField(blank=True, help_text='Empty: ISO (2025-01-31 13:45:00). Times are Beijing time.', max_length=30, verbose_name='time format')),
                ('amount_tolerance', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=8, verbose_name='amount tolerance (CNY)')),
                ('time_window_seconds', models.PositiveIntegerField(default=300, verbose_name='time window (seconds)')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical acquirer',
                'verbose_name_plural': 'historical acquirers',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalComplaintReason',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, verbose_name='code')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('answer_days', models.PositiveSmallIntegerField(default=10, help_text='Counted from the day the complaint arrives.', verbose_name='days to answer')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical complaint reason',
                'verbose_name_plural': 'historical complaint reasons',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(schedule_stalled_uploads, migrations.RunPython.noop),
    ]
