"""Beat makes the partitions ahead every day (an idle run changes nothing)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.common.beijing import add_months, month_of
from tests.transactions.partitions.helpers import partitioned_only
from transactions.models import PartitionAction, ReportPartitionEvent
from transactions.partitions.months import partition_name
from transactions.tasks import create_report_partitions

pytestmark = pytest.mark.django_db


def test_beat_runs_the_partition_task_daily():
    task = PeriodicTask.objects.get(task="transactions.tasks.create_report_partitions")
    assert (task.interval.every, task.interval.period, task.enabled) == (1, "days", True)


@partitioned_only
def test_the_task_makes_the_months_ahead_that_are_missing(settings):
    settings.REPORT_PARTITIONS_AHEAD = 5
    this = month_of(timezone.now())
    made = create_report_partitions.delay().get()
    assert made == [partition_name(add_months(this, 4)), partition_name(add_months(this, 5))]
    assert (
        list(ReportPartitionEvent.objects.values_list("action", "actor"))
        == [(PartitionAction.CREATED, "beat")] * 2
    )
    assert create_report_partitions.delay().get() == []
