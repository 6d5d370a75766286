"""manage.py report_partitions: what operators run (and what the admin then shows)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from portal.common.beijing import add_months, month_of
from tests.factories import StaffFactory
from tests.transactions.helpers import reporting_terminal
from tests.transactions.partitions.helpers import beijing, partitioned_only, table_of
from tests.transactions.report_factories import make_report
from transactions.models import PartitionAction, ReportPartitionEvent
from transactions.partitions.ddl import DEFAULT
from transactions.partitions.months import partition_name
from transactions.partitions.services import partition_create

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("report_partitions", *args, stdout=out)
    return out.getvalue()


@partitioned_only
def test_status_lists_the_default_partition_and_the_months():
    lines = _run("status").splitlines()
    assert lines[0] == "transactions_report_default\tattached"
    assert f"{partition_name(month_of(timezone.now()))}\tattached" in lines


@partitioned_only
def test_ensure_makes_what_is_missing_ahead(settings):
    settings.REPORT_PARTITIONS_AHEAD = 4
    output = _run("ensure")
    assert partition_name(add_months(month_of(timezone.now()), 4)) in output
    assert _run("ensure") == ""


@partitioned_only
def test_create_takes_a_past_months_reports_out_of_the_default_partition():
    terminal = reporting_terminal()
    month = add_months(month_of(timezone.now()), -7)
    stored = make_report(terminal, occurred_at=beijing(month, 12, 0))
    assert table_of(stored.pk) == DEFAULT
    assert "(1 rows)" in _run("create", "--month", f"{month:%Y-%m}")
    assert table_of(stored.pk) == partition_name(month)
    assert _run("create", "--month", f"{month:%Y-%m}") == ""


@partitioned_only
def test_detach_and_attach_a_month_by_name(settings):
    settings.ARCHIVE_HOT_MONTHS = 25
    month = add_months(month_of(timezone.now()), -26)
    partition_create(month=month, actor="test")
    assert "0 rows" in _run("detach", "--month", f"{month:%Y-%m}")
    assert f"archive.{partition_name(month)}\tarchived" in _run("status")
    _run("attach", "--month", f"{month:%Y-%m}")
    actions = list(ReportPartitionEvent.objects.order_by("pk").values_list("action", "actor"))
    assert [a for a, _ in actions] == [
        PartitionAction.CREATED,
        PartitionAction.DETACHED,
        PartitionAction.ATTACHED,
    ]
    assert actions[1][1].startswith("manage.py")


@partitioned_only
def test_detaching_a_hot_month_is_refused_with_the_reason():
    with pytest.raises(CommandError, match="within the last"):
        _run("detach", "--month", f"{month_of(timezone.now()):%Y-%m}")


@partitioned_only
@pytest.mark.parametrize(
    "args", [("detach",), ("attach",), ("create",), ("detach", "--month", "2024-13")]
)
def test_a_missing_or_bad_month_is_refused(args):
    with pytest.raises(CommandError, match="month"):
        _run(*args)


def test_leads_read_the_partition_events_in_the_admin_and_change_none(client):
    event = ReportPartitionEvent.objects.create(
        action=PartitionAction.DETACHED, month=month_of(timezone.now()), table="t", actor="ops"
    )
    client.force_login(StaffFactory(groups=["compliance lead"]))
    url = reverse("admin:transactions_reportpartitionevent_changelist")
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:transactions_reportpartitionevent_add")).status_code == 403
    page = client.get(reverse("admin:transactions_reportpartitionevent_change", args=[event.pk]))
    assert page.status_code == 200 and b"ops" in page.content


def test_reviewers_do_not_see_the_partition_events(client):
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    url = reverse("admin:transactions_reportpartitionevent_changelist")
    assert client.get(url).status_code == 403
