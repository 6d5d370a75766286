from django.contrib.auth.management import create_permissions
from django.db import migrations


def staff_groups(apps, schema_editor):
    """Leads keep the webhook endpoints and send deliveries again; reviewers see both."""
    from merchants.accounts.groups import sync_staff_groups

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):

    dependencies = [
        ("transactions", "0021_rules"),
    ]

    operations = [
        # Reversing leaves the groups as they are: the permissions go with their tables.
        migrations.RunPython(staff_groups, migrations.RunPython.noop),
    ]
