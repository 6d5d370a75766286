"""Alert e-mails reach each reader in their own language, not in the language of whoever acted."""

import pytest
from django.utils import translation

from merchants.accounts.mail import preferences_set
from merchants.models import Role
from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import audit, only_rule, plant, reporting_terminal
from transactions.alerts.services import alert_answer, alert_transition
from transactions.models import AlertStatus

pytestmark = pytest.mark.django_db


def _speaking(language: str, user):
    preferences_set(user=user, language=language)
    return user


def _by_recipient(outbox) -> dict[str, tuple[str, str]]:
    return {address: (m.subject, m.body) for m in outbox for address in m.to}


def test_a_chinese_and_an_english_member_each_get_the_question_in_their_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    alert = AlertFactory(status=AlertStatus.IN_REVIEW)
    zh = _speaking("zh-hans", MembershipFactory(merchant=alert.merchant, role=Role.OWNER).user)
    en = _speaking("en", MembershipFactory(merchant=alert.merchant, role=Role.STAFF).user)
    reviewer = _speaking("en", StaffFactory(groups=["compliance reviewer"]))
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        alert_transition(alert=alert, name="ask_merchant", actor=reviewer, reason="Whose card?")
    assert len(mailoutbox) == 2
    mails = _by_recipient(mailoutbox)
    assert mails[zh.email][0] == f"预警 #{alert.pk} 需要您答复"
    assert "请在平台中答复" in mails[zh.email][1] and "Whose card?" in mails[zh.email][1]
    assert mails[en.email][0] == f"Alert #{alert.pk} needs your answer"
    assert "Answer in the portal" in mails[en.email][1]


def test_the_assignee_reads_the_merchants_answer_in_their_language_not_the_merchants(
    mailoutbox, django_capture_on_commit_callbacks
):
    reviewer = _speaking("zh-hans", StaffFactory(groups=["compliance reviewer"]))
    alert = AlertFactory(status=AlertStatus.AWAITING_MERCHANT, assignee=reviewer)
    owner = _speaking("en", MembershipFactory(merchant=alert.merchant).user)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        alert_answer(alert=alert, actor=owner, text="It was a refund.")
    [mail] = mailoutbox
    assert mail.to == [reviewer.email]
    assert mail.subject == f"商户已答复预警 #{alert.pk}"


def test_the_runs_serious_alerts_reach_each_reviewer_in_their_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    zh = _speaking("zh-hans", StaffFactory(groups=["compliance reviewer"]))
    en = _speaking("en", StaffFactory(groups=["compliance lead"]))
    only_rule("mcc_jump")
    plant(reporting_terminal(), mcc="5812")
    with django_capture_on_commit_callbacks(execute=True):
        audit()  # a worker: no request, no language of its own
    mails = _by_recipient(mailoutbox)
    assert mails[en.email][0] == "1 new high-severity alert"
    assert mails[zh.email][0] == "1 条新的高严重度预警"
    assert "MCC" in mails[en.email][1] and "5812" in mails[zh.email][1]
    assert mails[en.email][1] != mails[zh.email][1]  # the explanation is read in each language
