"""Overdue complaints are flagged once, and staff and the merchant are told once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.transactions.complaint_factories import ComplaintFactory, member, reviewer
from transactions.complaints.services import complaints_flag_overdue
from transactions.models import ComplaintStatus as S
from transactions.tasks import flag_overdue_complaints

pytestmark = pytest.mark.django_db


def _late(**kwargs):
    return ComplaintFactory(due_at=timezone.now() - timedelta(hours=1), **kwargs)


def test_an_overdue_complaint_is_flagged_and_both_sides_are_told(
    django_capture_on_commit_callbacks, mailoutbox
):
    complaint = _late(status=S.AWAITING_MERCHANT)
    owner, staff = member(complaint), reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_flag_overdue() == 1
    complaint.refresh_from_db()
    assert complaint.overdue and complaint.overdue_notified_at is not None
    assert sorted(tuple(mail.to) for mail in mailoutbox) == sorted([(staff.email,), (owner.email,)])
    assert all(f"#{complaint.pk}" in mail.subject for mail in mailoutbox)


def test_a_complaint_is_flagged_only_once(django_capture_on_commit_callbacks, mailoutbox):
    _late()
    member(ComplaintFactory())  # not late
    reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        complaints_flag_overdue()
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_flag_overdue() == 0
    assert len(mailoutbox) == sent


@pytest.mark.parametrize("status", [S.UPHELD, S.REJECTED, S.WITHDRAWN])
def test_resolved_complaints_are_never_overdue(status):
    complaint = _late(status=status)
    assert complaints_flag_overdue() == 0
    complaint.refresh_from_db()
    assert not complaint.overdue


def test_a_complaint_not_yet_due_is_not_flagged():
    ComplaintFactory(due_at=timezone.now() + timedelta(minutes=5))
    assert complaints_flag_overdue() == 0


def test_the_beat_task_flags_them():
    complaint = _late()
    assert flag_overdue_complaints.delay().get() == 1
    complaint.refresh_from_db()
    assert complaint.overdue


def test_the_management_command_flags_them():
    _late()
    out = StringIO()
    call_command("flag_overdue_complaints", stdout=out)
    assert "1 complaint(s) flagged overdue." in out.getvalue()
