# The same settlement file is refused a second time within its ledger only: the acquirer's files
# (staff uploads without a merchant) per acquirer, and each merchant's own uploads. A failed file
# holds nothing and does not count.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transactions", "0012_history_reasons_acquirers_stalled_uploads"),
    ]

    operations = [
        migrations.AlterField(
            model_name="settlementfile",
            name="sha256",
            field=models.CharField(max_length=64, verbose_name="SHA-256"),
        ),
        migrations.AddConstraint(
            model_name="settlementfile",
            constraint=models.UniqueConstraint(
                condition=models.Q(merchant__isnull=True) & ~models.Q(status="failed"),
                fields=("sha256", "acquirer"),
                name="settlement_file_once_per_acquirer",
            ),
        ),
        migrations.AddConstraint(
            model_name="settlementfile",
            constraint=models.UniqueConstraint(
                condition=models.Q(merchant__isnull=False) & ~models.Q(status="failed"),
                fields=("sha256", "merchant"),
                name="settlement_file_once_per_merchant",
            ),
        ),
    ]
