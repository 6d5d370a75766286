"""Complaint e-mails reach each reader in their own language; the cardholder in the language of
the page where they gave their contact."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from merchants.accounts.mail import preferences_set
from tests.transactions.complaint_factories import ComplaintFactory, member, reviewer
from tests.transactions.complaints.cardholder_helpers import (
    ask_code,
    charge,
    complaint_post,
    sms_outbox,
)
from transactions.complaints.services import complaints_flag_overdue
from transactions.models import Complaint
from transactions.models import ComplaintStatus as S

pytestmark = pytest.mark.django_db


def _speaking(language: str, user):
    preferences_set(user=user, language=language)
    return user


def test_overdue_reminders_are_written_for_each_reader(
    mailoutbox, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory(
        status=S.AWAITING_MERCHANT, due_at=timezone.now() - timedelta(hours=1)
    )
    owner = _speaking("zh-hans", member(complaint))
    staff_zh = _speaking("zh-hans", reviewer())
    staff_en = _speaking("en", reviewer())
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert complaints_flag_overdue() == 1
    by_to = {tuple(m.to): m for m in mailoutbox}
    # Staff and the merchant apart, and staff once per language.
    assert sorted(by_to) == sorted([(owner.email,), (staff_zh.email,), (staff_en.email,)])
    assert by_to[(staff_en.email,)].subject == f"Complaint #{complaint.pk} is overdue"
    assert "Beijing time" in by_to[(staff_en.email,)].body
    for address in (owner.email, staff_zh.email):
        assert by_to[(address,)].subject == f"投诉 #{complaint.pk} 已逾期"
        assert "北京时间" in by_to[(address,)].body
    assert complaint.complainant_name not in str([m.body for m in mailoutbox])


def test_the_merchants_answer_reaches_staff_in_their_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    from transactions.complaints.services import complaint_answer

    complaint = ComplaintFactory(status=S.AWAITING_MERCHANT)
    owner = _speaking("zh-hans", member(complaint))
    staff_en = _speaking("en", reviewer())
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        complaint_answer(complaint=complaint, actor=owner, text="Signed slip attached.")
    [mail] = mailoutbox
    assert mail.to == [staff_en.email]
    assert mail.subject == f"The merchant answered complaint #{complaint.pk}"


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("en", "Complaint confirmation code", "valid for 10 minutes"),
        ("zh-hans", "投诉验证码", "有效"),
    ],
)
def test_the_cardholder_gets_the_code_and_tracking_in_the_pages_language(
    client, mailoutbox, django_capture_on_commit_callbacks, language, subject, words
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    report = charge()
    url, ticket, code = ask_code(client, report)
    assert mailoutbox[-1].subject == subject and words in mailoutbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "send/", complaint_post(ticket, code))
    assert response.status_code == 200, response.content
    complaint = Complaint.objects.get()
    assert complaint.complainant_language == language
    tracking = mailoutbox[-1]
    expected = "received" if language == "en" else "已受理"
    assert expected in tracking.subject


def test_a_cardholder_with_a_phone_gets_the_code_by_sms_in_the_pages_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ask_code(client, charge(), phone="+8613912345678")
    assert "confirmation code" in sms_outbox()[-1][1]
    assert "验证码" not in sms_outbox()[-1][1]
