"""SQLite keeps one plain report table: the partition services and the command say so.

No database mark: what they check first is the database's kind, not its tables (and the card-data
scan after each database test would otherwise run on a test that PostgreSQL skips).
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.common.beijing import month_of
from transactions.partitions.selectors import report_partitions
from transactions.partitions.services import PartitionError, partition_detach, partitions_ensure

pytestmark = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL's report table is partitioned"
)


def test_there_is_nothing_to_make_ahead():
    assert partitions_ensure(actor="beat") == []
    assert report_partitions() == []


def test_detaching_is_refused():
    from django.utils import timezone

    with pytest.raises(PartitionError, match="not partitioned"):
        partition_detach(month=month_of(timezone.now()), actor="ops")


def test_the_command_says_so():
    with pytest.raises(CommandError, match="not partitioned"):
        call_command("report_partitions", "status")
