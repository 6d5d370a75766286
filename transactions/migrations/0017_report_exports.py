# Background Excel exports, and the hourly beat task that deletes their files when they expire.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def schedule_expiry(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name="Delete expired report exports",
        defaults={"task": "transactions.tasks.expire_report_exports", "interval": every},
    )


def unschedule_expiry(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name="Delete expired report exports").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0004_history_accounts_devices_schedules'),
        ('transactions', '0016_complaint_channel'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportExport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.TextField(blank=True, verbose_name='filters')),
                ('language', models.CharField(max_length=10, verbose_name='language')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Being built'), ('done', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('written_rows', models.PositiveIntegerField(default=0, verbose_name='written')),
                ('file', models.FileField(blank=True, upload_to='report-exports/%Y/%m/', verbose_name='file')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='requested')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='download until')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='report_exports', to='merchants.merchant', verbose_name='merchant')),
                ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'report export',
                'verbose_name_plural': 'report exports',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['merchant', '-created_at'], name='transaction_merchan_dd9a02_idx')],
            },
        ),
        migrations.RunPython(schedule_expiry, unschedule_expiry),
    ]
