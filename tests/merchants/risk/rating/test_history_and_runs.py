"""Every change of level is recorded with its cause and factors; the nightly task rates every
approved merchant; events (an alert confirmed, a complaint upheld) rate the merchant again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from merchants.models import ChangeCause, HighRiskMcc, MerchantRisk, RiskLevelChange
from portal.common.queue import task_named
from tests.factories import MerchantFactory
from tests.merchants.risk.rating.helpers import rate
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.complaint_factories import ComplaintFactory, lead, reviewer
from transactions.alerts.services import alert_transition
from transactions.complaints.services import complaint_uphold
from transactions.models import AlertStatus, ComplaintStatus

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=800)


def test_the_first_rating_is_recorded():
    merchant = MerchantFactory(approved=True, approved_at=OLD)
    rate(merchant)
    change = RiskLevelChange.objects.get(merchant=merchant)
    assert (change.from_level, change.to_level, change.cause) == ("", "low", ChangeCause.RATING)
    assert change.trigger == "test" and len(change.factors) == 8


def test_a_rating_that_keeps_the_level_records_nothing():
    merchant = MerchantFactory(approved=True, approved_at=OLD)
    rate(merchant)
    rate(merchant)
    assert RiskLevelChange.objects.filter(merchant=merchant).count() == 1


def test_a_new_level_is_recorded_with_the_factors_that_made_it():
    merchant = MerchantFactory(approved=True, approved_at=OLD, mcc="5411")
    rate(merchant)
    HighRiskMcc.objects.create(mcc="5411", category="test", points=65)
    risk = rate(merchant)
    assert (risk.score, risk.computed_level) == (65, "high")
    change = RiskLevelChange.objects.filter(merchant=merchant).first()
    assert (change.from_level, change.to_level, change.score) == ("low", "high", 65)
    assert next(f for f in change.factors if f["code"] == "mcc")["points"] == 65


def test_the_nightly_task_rates_every_approved_merchant_and_only_those():
    approved = [MerchantFactory(approved=True) for _ in range(3)]
    draft = MerchantFactory()
    result = task_named("merchants.tasks.rate_all_merchants").delay().get()
    assert result["rated"] == 3
    assert set(MerchantRisk.objects.values_list("merchant_id", flat=True)) == {
        m.pk for m in approved
    }
    assert not MerchantRisk.objects.filter(merchant=draft).exists()


def test_the_nightly_rating_is_a_beat_schedule_at_night_in_beijing():
    task = PeriodicTask.objects.get(task="merchants.tasks.rate_all_merchants")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "2",
        "30",
        "Asia/Shanghai",
    )


def test_confirming_an_alert_rates_the_merchant_again(django_capture_on_commit_callbacks):
    merchant = MerchantFactory(approved=True, approved_at=OLD)
    rate(merchant)
    alert = AlertFactory(merchant=merchant, status=AlertStatus.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        alert_transition(alert=alert, name="confirm", actor=reviewer(), reason="Seen the slips.")
    risk = MerchantRisk.objects.get(merchant=merchant)
    assert next(f for f in risk.factors if f["code"] == "alerts")["points"] == 10
    assert risk.score == 10


def test_clearing_an_alert_asks_for_no_rating(django_capture_on_commit_callbacks):
    merchant = MerchantFactory(approved=True, approved_at=OLD)
    alert = AlertFactory(merchant=merchant, status=AlertStatus.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alert_transition(alert=alert, name="clear", actor=reviewer(), reason="Fine.")
    assert callbacks == []
    assert not MerchantRisk.objects.filter(merchant=merchant).exists()


def test_upholding_a_complaint_rates_the_merchant_again(django_capture_on_commit_callbacks):
    complaint = ComplaintFactory(status=ComplaintStatus.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_uphold(
            complaint=complaint, actor=lead(), reason="Slip missing.", outcome="reversal"
        )
    risk = MerchantRisk.objects.get(merchant=complaint.merchant)
    entry = next(f for f in risk.factors if f["code"] == "complaints")
    assert (entry["value"], entry["points"]) == ("1", 10)
    change = RiskLevelChange.objects.get(merchant=complaint.merchant)
    assert change.trigger == f"complaint {complaint.pk} upheld"
