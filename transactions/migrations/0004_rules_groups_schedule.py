from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    from merchants.accounts.groups import sync_staff_groups
    from transactions.audit.rules import REGISTRY

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))

    AuditRule = apps.get_model("transactions", "AuditRule")
    for spec in REGISTRY.values():
        AuditRule.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "severity": spec.severity,
                "parameters": spec.defaults,
            },
        )

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_15, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Audit new reports",
        defaults={"task": "transactions.tasks.run_audit", "interval": every_15, "kwargs": '{"trigger": "beat"}'},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("transactions", "0003_audits_and_alerts"),
        ("merchants", "0002_staff_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
