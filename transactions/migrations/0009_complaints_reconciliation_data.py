"""Groups get the complaint and reconciliation permissions; default complaint reasons; beat schedules."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# (code, name, days to answer): the same defaults as services.complaints.DEFAULT_REASONS.
REASONS = (
    ("forced_consumption", "Forced consumption", 7),
    ("no_signature_pin", "Charged without signature or PIN", 10),
    ("wrong_amount", "Wrong amount", 10),
    ("duplicate_charge", "Duplicate charge", 7),
    ("not_recognised", "Transaction not recognised", 15),
    ("other", "Other", 15),
)
SCHEDULES = (
    ("Flag overdue complaints", "transactions.tasks.flag_overdue_complaints", 60),
    ("Reconcile settlement files", "transactions.tasks.reconcile_pending_files", 15),
)


def forwards(apps, schema_editor):
    from merchants.accounts.groups import sync_staff_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))

    ComplaintReason = apps.get_model("transactions", "ComplaintReason")
    for code, name, days in REASONS:
        ComplaintReason.objects.get_or_create(
            code=code, defaults={"name": name, "answer_days": days}
        )

    AuditRule = apps.get_model("transactions", "AuditRule")
    AuditRule.objects.get_or_create(
        code="complaints_upheld",
        defaults={
            "name": "Many upheld complaints",
            "description": "A merchant with several cardholder complaints upheld within a few weeks.",
            "severity": "high",
            "parameters": {"min_upheld": 3, "days": 30},
        },
    )

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in SCHEDULES:
        every, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": every})


class Migration(migrations.Migration):
    dependencies = [
        ("transactions", "0008_complaints_reconciliation_explanations"),
        ("merchants", "0002_staff_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
