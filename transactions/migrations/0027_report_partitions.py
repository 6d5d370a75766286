# Reports partitioned by Beijing month on PostgreSQL (docs/partitions.md); SQLite keeps the plain
# table. The foreign keys to reports lose their database constraints on both (a partitioned
# table's id alone is not unique); the idempotency key moves to transactions_report_key.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def partition_reports(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.utils import timezone

    from transactions.partitions.ddl import partition_report_table
    from portal.common.beijing import month_of

    partition_report_table(
        schema_editor.connection,
        today=month_of(timezone.now()),
        ahead=settings.REPORT_PARTITIONS_AHEAD,
    )


def unpartition_reports(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from transactions.partitions.ddl import unpartition_report_table

    unpartition_report_table(schema_editor.connection)


def staff_groups(apps, schema_editor):
    """Leads see the record of partition changes."""
    from django.contrib.auth.management import create_permissions

    from merchants.accounts.groups import sync_staff_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def schedule_partitions(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.get_or_create(
        name="Create report partitions ahead",
        defaults={"task": "transactions.tasks.create_report_partitions", "interval": every},
    )


def unschedule_partitions(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="transactions.tasks.create_report_partitions").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('transactions', '0026_archive'),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportKey',
            fields=[
                ('pk', models.CompositePrimaryKey('report_id', 'terminal_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('report_id', models.UUIDField(verbose_name='report id')),
                ('terminal_id', models.BigIntegerField(verbose_name='terminal')),
                ('content_hash', models.CharField(max_length=64, verbose_name='content hash')),
                ('upload_id', models.BigIntegerField(null=True, verbose_name='upload')),
            ],
            options={
                'verbose_name': 'report key',
                'verbose_name_plural': 'report keys',
                'db_table': 'transactions_report_key',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='ReportPartitionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('created', 'Created'), ('detached', 'Detached to the archive schema'), ('attached', 'Attached again')], max_length=10, verbose_name='action')),
                ('month', models.DateField(help_text='First day of the month, Beijing time.', verbose_name='month')),
                ('table', models.CharField(max_length=80, verbose_name='table')),
                ('rows', models.BigIntegerField(default=0, verbose_name='reports')),
                ('actor', models.CharField(max_length=150, verbose_name='by')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
            ],
            options={
                'verbose_name': 'report partition event',
                'verbose_name_plural': 'report partition events',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AlterField(
            model_name='alertreport',
            name='report',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, to='transactions.report'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='report',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='transactions.report', verbose_name='report'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='report',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='transactions.report', verbose_name='report'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='report',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='transactions.report'),
        ),
        migrations.AlterField(
            model_name='reconciliationitem',
            name='report',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='transactions.report'),
        ),
        migrations.AlterField(
            model_name='reportamendment',
            name='report',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='amendments', to='transactions.report', verbose_name='report'),
        ),
        migrations.RunPython(partition_reports, unpartition_reports),
        migrations.RunPython(schedule_partitions, unschedule_partitions),
        # Reversing leaves the groups as they are: the permissions go with their tables.
        migrations.RunPython(staff_groups, migrations.RunPython.noop),
    ]
