# The archive (docs/archive.md): archived months and files, legal holds, deletion jobs; the
# leads' and reviewers' permissions for them; beat schedules (archive monthly, verify weekly,
# propose deletions of expired data monthly).

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# (name, task, crontab fields): Beijing time; the 3rd is after the month's settlement files.
SCHEDULES = [
    ("Archive months past the hot window", "transactions.tasks.archive_due_months",
     {"minute": "0", "hour": "3", "day_of_month": "3", "day_of_week": "*"}),
    ("Verify the archive's checksums", "transactions.tasks.archive_verify",
     {"minute": "0", "hour": "4", "day_of_month": "*", "day_of_week": "0"}),
    ("Propose deleting expired data", "transactions.tasks.archive_propose_deletion",
     {"minute": "0", "hour": "5", "day_of_month": "5", "day_of_week": "*"}),
]


def forwards(apps, schema_editor):
    from merchants.accounts.groups import sync_staff_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, fields in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            month_of_year="*", timezone="Asia/Shanghai", **fields
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _fields in SCHEDULES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0011_encrypted_contacts'),
        ('transactions', '0025_inspection_alerts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='ArchiveMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(unique=True, verbose_name='month')),
                ('status', models.CharField(choices=[('exported', 'Exported'), ('verified', 'Verified'), ('purged', 'Verified, removed from the hot table'), ('damaged', 'Damaged (checksum failed)'), ('deleted', 'Deleted (retention ended)')], default='exported', max_length=10, verbose_name='status')),
                ('directory', models.CharField(max_length=200, verbose_name='directory')),
                ('schema_version', models.PositiveSmallIntegerField(verbose_name='schema version')),
                ('row_count', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('manifest_sha256', models.CharField(max_length=64, verbose_name='manifest SHA-256')),
                ('purged_rows', models.PositiveIntegerField(default=0, verbose_name='rows removed from the hot table')),
                ('kept_hot', models.PositiveIntegerField(default=0, help_text='Referenced by alerts, holds, complaints or amendments, or under legal hold.', verbose_name='rows kept in the hot table')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='exported')),
                ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='last verified')),
                ('purged_at', models.DateTimeField(blank=True, null=True, verbose_name='removed from the hot table')),
                ('damaged_at', models.DateTimeField(blank=True, null=True, verbose_name='found damaged')),
                ('deleted_at', models.DateTimeField(blank=True, null=True, verbose_name='deleted')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='exported by')),
            ],
            options={
                'verbose_name': 'archived month',
                'verbose_name_plural': 'archived months',
                'ordering': ['-month'],
            },
        ),
        migrations.CreateModel(
            name='ArchiveMonthTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='when')),
                ('from_status', models.CharField(choices=[('exported', 'Exported'), ('verified', 'Verified'), ('purged', 'Verified, removed from the hot table'), ('damaged', 'Damaged (checksum failed)'), ('deleted', 'Deleted (retention ended)')], max_length=10, verbose_name='from')),
                ('to_status', models.CharField(choices=[('exported', 'Exported'), ('verified', 'Verified'), ('purged', 'Verified, removed from the hot table'), ('damaged', 'Damaged (checksum failed)'), ('deleted', 'Deleted (retention ended)')], max_length=10, verbose_name='to')),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('archive_month', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transitions', to='transactions.archivemonth')),
            ],
            options={
                'verbose_name': 'archived month step',
                'verbose_name_plural': 'archived month steps',
                'ordering': ['created_at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='DeletionJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('approved', 'Approved, deleting'), ('rejected', 'Rejected'), ('done', 'Deleted'), ('failed', 'Failed')], default='proposed', max_length=10, verbose_name='status')),
                ('retention_years', models.PositiveSmallIntegerField(verbose_name='retention (years)')),
                ('plan', models.JSONField(default=dict, verbose_name='what would be deleted')),
                ('file_count', models.PositiveIntegerField(default=0, verbose_name='files')),
                ('row_count', models.PositiveBigIntegerField(default=0, verbose_name='archived rows')),
                ('hot_row_count', models.PositiveBigIntegerField(default=0, verbose_name='hot rows')),
                ('proposed_at', models.DateTimeField(auto_now_add=True, verbose_name='proposed')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('log', models.JSONField(blank=True, default=dict, verbose_name='what was deleted')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved or rejected by')),
                ('proposed_by', models.ForeignKey(blank=True, help_text='Empty: proposed by the scheduled retention job.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
            ],
            options={
                'verbose_name': 'deletion job',
                'verbose_name_plural': 'deletion jobs',
                'ordering': ['-proposed_at', '-pk'],
                'permissions': [('approve_deletion_job', 'Can approve the deletion of expired data')],
            },
        ),
        migrations.CreateModel(
            name='DeletionJobTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='when')),
                ('from_status', models.CharField(choices=[('proposed', 'Proposed'), ('approved', 'Approved, deleting'), ('rejected', 'Rejected'), ('done', 'Deleted'), ('failed', 'Failed')], max_length=10, verbose_name='from')),
                ('to_status', models.CharField(choices=[('proposed', 'Proposed'), ('approved', 'Approved, deleting'), ('rejected', 'Rejected'), ('done', 'Deleted'), ('failed', 'Failed')], max_length=10, verbose_name='to')),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transitions', to='transactions.deletionjob')),
            ],
            options={
                'verbose_name': 'deletion job step',
                'verbose_name_plural': 'deletion job steps',
                'ordering': ['created_at', 'pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='HistoricalArchiveMonth',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('month', models.DateField(db_index=True, verbose_name='month')),
                ('status', models.CharField(choices=[('exported', 'Exported'), ('verified', 'Verified'), ('purged', 'Verified, removed from the hot table'), ('damaged', 'Damaged (checksum failed)'), ('deleted', 'Deleted (retention ended)')], default='exported', max_length=10, verbose_name='status')),
                ('directory', models.CharField(max_length=200, verbose_name='directory')),
                ('schema_version', models.PositiveSmallIntegerField(verbose_name='schema version')),
                ('row_count', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('manifest_sha256', models.CharField(max_length=64, verbose_name='manifest SHA-256')),
                ('purged_rows', models.PositiveIntegerField(default=0, verbose_name='rows removed from the hot table')),
                ('kept_hot', models.PositiveIntegerField(default=0, help_text='Referenced by alerts, holds, complaints or amendments, or under legal hold.', verbose_name='rows kept in the hot table')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='exported')),
                ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='last verified')),
                ('purged_at', models.DateTimeField(blank=True, null=True, verbose_name='removed from the hot table')),
                ('damaged_at', models.DateTimeField(blank=True, null=True, verbose_name='found damaged')),
                ('deleted_at', models.DateTimeField(blank=True, null=True, verbose_name='deleted')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='exported by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical archived month',
                'verbose_name_plural': 'historical archived months',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalDeletionJob',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('approved', 'Approved, deleting'), ('rejected', 'Rejected'), ('done', 'Deleted'), ('failed', 'Failed')], default='proposed', max_length=10, verbose_name='status')),
                ('retention_years', models.PositiveSmallIntegerField(verbose_name='retention (years)')),
                ('file_count', models.PositiveIntegerField(default=0, verbose_name='files')),
                ('row_count', models.PositiveBigIntegerField(default=0, verbose_name='archived rows')),
                ('hot_row_count', models.PositiveBigIntegerField(default=0, verbose_name='hot rows')),
                ('proposed_at', models.DateTimeField(blank=True, editable=False, verbose_name='proposed')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved or rejected by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(blank=True, db_constraint=False, help_text='Empty: proposed by the scheduled retention job.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
            ],
            options={
                'verbose_name': 'historical deletion job',
                'verbose_name_plural': 'historical deletion jobs',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalLegalHold',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='reason')),
                ('starts_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='from')),
                ('until', models.DateTimeField(blank=True, help_text='Empty: until released.', null=True, verbose_name='until')),
                ('placed_at', models.DateTimeField(blank=True, editable=False, verbose_name='placed')),
                ('released_at', models.DateTimeField(blank=True, null=True, verbose_name='released')),
                ('release_reason', models.TextField(blank=True, verbose_name='release reason')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('alert', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='transactions.alert', verbose_name='alert (case)')),
                ('complaint', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='transactions.complaint', verbose_name='complaint (case)')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='merchants.merchant', verbose_name='merchant')),
                ('placed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='placed by')),
                ('released_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='released by')),
            ],
            options={
                'verbose_name': 'historical legal hold',
                'verbose_name_plural': 'historical legal holds',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ArchiveFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(max_length=255, unique=True, verbose_name='path')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('row_count', models.PositiveIntegerField(verbose_name='rows')),
                ('size_bytes', models.PositiveBigIntegerField(verbose_name='size (bytes)')),
                ('min_occurred_at', models.DateTimeField(verbose_name='first report')),
                ('max_occurred_at', models.DateTimeField(verbose_name='last report')),
                ('damaged_at', models.DateTimeField(blank=True, null=True, verbose_name='found damaged')),
                ('deleted_at', models.DateTimeField(blank=True, null=True, verbose_name='deleted')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant', verbose_name='merchant')),
                ('archive_month', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='files', to='transactions.archivemonth', verbose_name='month')),
            ],
            options={
                'verbose_name': 'archive file',
                'verbose_name_plural': 'archive files',
                'ordering': ['archive_month', 'merchant_id'],
                'constraints': [models.UniqueConstraint(fields=('archive_month', 'merchant'), name='archive_file_one_per_merchant')],
            },
        ),
        migrations.CreateModel(
            name='LegalHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='reason')),
                ('starts_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='from')),
                ('until', models.DateTimeField(blank=True, help_text='Empty: until released.', null=True, verbose_name='until')),
                ('placed_at', models.DateTimeField(auto_now_add=True, verbose_name='placed')),
                ('released_at', models.DateTimeField(blank=True, null=True, verbose_name='released')),
                ('release_reason', models.TextField(blank=True, verbose_name='release reason')),
                ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='legal_holds', to='transactions.alert', verbose_name='alert (case)')),
                ('complaint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='legal_holds', to='transactions.complaint', verbose_name='complaint (case)')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant', verbose_name='merchant')),
                ('placed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='placed by')),
                ('released_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='released by')),
            ],
            options={
                'verbose_name': 'legal hold',
                'verbose_name_plural': 'legal holds',
                'ordering': ['-placed_at'],
                'permissions': [('manage_legal_hold', 'Can place and release legal holds')],
                'constraints': [models.CheckConstraint(condition=models.Q(('alert__isnull', True), ('complaint__isnull', True), _connector='OR'), name='legal_hold_one_case'), models.CheckConstraint(condition=models.Q(('until__isnull', True), ('until__gt', models.F('starts_at')), _connector='OR'), name='legal_hold_until_after_start')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
