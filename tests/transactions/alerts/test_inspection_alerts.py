"""An overdue inspection raises one alert in the review queue and one e-mail, in the reader's
language, to its inspector (the leads when nobody is assigned)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from merchants.accounts.mail import preferences_set
from merchants.models import InspectionKind, InspectionStatus
from merchants.risk.inspections.services import inspection_transition, photo_request_submit
from tests.factories import MembershipFactory, MerchantFactory
from tests.merchants.risk.inspections.helpers import (
    InspectionFactory,
    inspector,
    lead,
    png_bytes,
    upload,
)
from transactions.alerts.inspections import RULE, inspection_alerts
from transactions.models import Alert, AlertStatus, AuditRule

pytestmark = pytest.mark.django_db


def _overdue(**fields):
    return InspectionFactory(due_on=timezone.localdate() - timedelta(days=2), **fields)


def test_an_overdue_inspection_raises_one_alert_and_one_mail(django_capture_on_commit_callbacks):
    who = inspector()
    inspection = _overdue(status=InspectionStatus.ASSIGNED, assignee=who)
    InspectionFactory(due_on=timezone.localdate())  # due today: on time
    with django_capture_on_commit_callbacks(execute=True):
        assert inspection_alerts() == 1
    alert = Alert.objects.get()
    assert (alert.rule.code, alert.merchant_id, alert.status) == (
        RULE,
        inspection.merchant_id,
        AlertStatus.OPEN,
    )
    assert f"On-site inspection #{inspection.pk} was due on" in alert.explanation
    assert [m.to for m in mail.outbox] == [[who.email]]
    assert f"Inspection #{inspection.pk}" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        assert inspection_alerts() == 0
    assert Alert.objects.count() == 1 and len(mail.outbox) == 1


def test_nobody_assigned_the_leads_are_told_in_their_language(django_capture_on_commit_callbacks):
    boss = lead()
    preferences_set(user=boss, language="zh-hans")
    inspector()  # conducts, does not assign: not told
    _overdue()
    with django_capture_on_commit_callbacks(execute=True):
        inspection_alerts()
    assert [m.to for m in mail.outbox] == [[boss.email]]
    # Composed under the lead's language: the due date is written the Chinese way.
    assert "年" in mail.outbox[0].body


def test_a_disabled_rule_raises_nothing():
    _overdue()
    inspection_alerts()
    AuditRule.objects.filter(code=RULE).update(enabled=False)
    Alert.objects.all().delete()
    assert inspection_alerts() == 0 and not Alert.objects.exists()


def test_a_completed_or_cancelled_inspection_is_not_overdue():
    _overdue(status=InspectionStatus.COMPLETED, outcome="pass")
    _overdue(status=InspectionStatus.CANCELLED)
    assert inspection_alerts() == 0


def test_photos_asked_again_and_late_again_are_a_new_alert(django_capture_on_commit_callbacks):
    merchant = MerchantFactory(approved=True, fixed_premises=False)
    owner = MembershipFactory(merchant=merchant).user
    request = _overdue(merchant=merchant, kind=InspectionKind.PHOTOS)
    inspection_alerts()
    photo_request_submit(
        inspection=request, actor=owner, uploads=[upload(png_bytes(), "a.png", "image/png")]
    )
    request = inspection_transition(
        inspection=request, name="ask_again", actor=inspector(), reason="Too dark."
    )
    assert request.due_on == timezone.localdate() + timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        assert inspection_alerts(today=request.due_on + timedelta(days=1)) == 1
    assert Alert.objects.count() == 2
    assert "photos of the business" in Alert.objects.latest("pk").explanation
