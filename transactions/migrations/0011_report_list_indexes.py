"""Indexes of the merchant's report list: amount order, trace number and card last-4 search.

Why each one is there is said beside it in Report.Meta; the plans are in bench/README.md.
"""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("transactions", "0010_dashboard_rollups")]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["merchant", "amount", "id"], name="report_merchant_amount"),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["merchant", "trace_no"], name="report_merchant_trace"),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                models.F("merchant"),
                django.db.models.functions.text.Right("masked_pan", 4),
                condition=models.Q(("masked_pan", ""), _negated=True),
                name="report_merchant_last4",
            ),
        ),
    ]
