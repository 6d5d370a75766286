"""A file whose checksum fails: reported (the leads, in their language), never deleted, not read."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from merchants.accounts.mail import preferences_set
from tests.factories import StaffFactory
from tests.transactions.archive.helpers import due_month, reports_in
from transactions.archive import files
from transactions.archive.export import archive_month_export
from transactions.archive.selectors import ArchiveUnreadable, archive_read
from transactions.archive.services import archive_month_run
from transactions.archive.verify import archive_month_verify, archive_verify_all
from transactions.models import ArchiveStatus, Report

pytestmark = pytest.mark.django_db


def _spoil(archive_month):
    archive_file = archive_month.files.first()
    path = files.absolute(archive_file.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return archive_file


@pytest.fixture
def leads():
    english, chinese = (StaffFactory(groups=["compliance lead"]) for _ in range(2))
    preferences_set(user=english, language="en")
    preferences_set(user=chinese, language="zh-hans")
    StaffFactory(groups=["compliance reviewer"])
    return english, chinese


def test_a_file_spoiled_before_verification_keeps_the_reports_hot_and_marks_the_month(leads):
    month = due_month()
    reports = reports_in(month, 3)
    archive_month = archive_month_export(month=month)
    archive_file = _spoil(archive_month)

    with pytest.raises(CommandError, match="damaged"):
        call_command("archive_reports", "--month", f"{month:%Y-%m}")

    archive_month.refresh_from_db()
    archive_file.refresh_from_db()
    assert archive_month.status == ArchiveStatus.DAMAGED
    assert archive_file.damaged_at is not None
    assert Report.objects.count() == len(reports)


def test_the_leads_are_told_each_in_their_language(leads):
    english, chinese = leads
    month = due_month()
    reports_in(month, 1)
    archive_month, _problems = archive_month_run(month=month)
    _spoil(archive_month)
    mail.outbox.clear()

    problems = archive_month_verify(archive_month=archive_month)

    assert problems and "SHA-256" in str(problems[0])
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {(english.email,), (chinese.email,)}
    assert by_recipient[(english.email,)].subject == f"Archive of {month:%Y-%m} is damaged"
    # One message per language, each composed under its reader's language (merchants.accounts.mail).
    assert len(mail.outbox) == 2
    assert f"{month:%Y-%m}" in by_recipient[(chinese.email,)].body


def test_a_damaged_month_is_reported_once_not_on_every_check(leads):
    month = due_month()
    reports_in(month, 1)
    archive_month, _problems = archive_month_run(month=month)
    _spoil(archive_month)
    mail.outbox.clear()
    assert archive_verify_all() == {"checked": 1, "damaged": 1}
    assert archive_verify_all() == {"checked": 1, "damaged": 1}
    assert len(mail.outbox) == 2  # one per language, the first time only


def test_a_damaged_month_is_not_read(leads):
    month = due_month()
    reports_in(month, 1)
    archive_month, _problems = archive_month_run(month=month)
    _spoil(archive_month)

    with pytest.raises(ArchiveUnreadable, match="failed its check"):
        list(archive_read(month=month))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("read_archive", "--month", f"{month:%Y-%m}")


def test_a_missing_file_is_damage_too(leads):
    month = due_month()
    reports_in(month, 1)
    archive_month, _problems = archive_month_run(month=month)
    files.absolute(archive_month.files.first().path).unlink()

    (problem,) = archive_month_verify(archive_month=archive_month)
    assert "missing" in str(problem)


def test_a_restored_file_makes_the_month_readable_again(leads):
    month = due_month()
    reports_in(month, 2)
    archive_month, _problems = archive_month_run(month=month)
    archive_file = archive_month.files.first()
    good = files.absolute(archive_file.path).read_bytes()
    _spoil(archive_month)
    archive_month_verify(archive_month=archive_month)

    files.absolute(archive_file.path).write_bytes(good)  # restored from a backup copy
    archive_month.refresh_from_db()
    assert archive_month_verify(archive_month=archive_month) == []

    archive_month.refresh_from_db()
    assert archive_month.status == ArchiveStatus.PURGED
    assert len(list(archive_read(month=month))) == 2


def test_archiving_a_damaged_month_again_says_it_is_damaged(leads):
    month = due_month()
    reports_in(month, 1)
    archive_month, _problems = archive_month_run(month=month)
    _spoil(archive_month)
    archive_month_verify(archive_month=archive_month)

    with pytest.raises(CommandError, match="damaged"):
        call_command("archive_reports", "--month", f"{month:%Y-%m}")
