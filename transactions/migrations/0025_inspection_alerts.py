from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    """The staff groups' inspection permissions; beat raises overdue inspections' alerts daily."""
    from merchants.accounts.groups import sync_staff_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="6",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Alert overdue inspections",
        defaults={"task": "transactions.tasks.alert_overdue_inspections", "crontab": daily},
    )


def backwards(apps, schema_editor):
    # The groups stay as they are: the permissions go with their tables.
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="Alert overdue inspections"
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("transactions", "0024_regulator_reports"),
        ("merchants", "0013_inspections"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
