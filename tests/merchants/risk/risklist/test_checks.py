"""Re-checking approved merchants on a schedule, the alert a hit raises (once), and the checks
staff record themselves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_celery_beat.models import PeriodicTask

from merchants.models import CheckResult, CheckTrigger, Merchant, RiskListCheck
from merchants.risk.risklist.services import (
    risk_list_check_record,
    risk_list_delist,
    risk_list_import,
    risk_list_recheck,
)
from portal.common.queue import task_named
from tests.factories import MerchantFactory, RiskListEntryFactory
from tests.merchants.risk.risklist.helpers import csv_bytes, lead, reviewer
from transactions.models import Alert

pytestmark = pytest.mark.django_db


def _alerts(merchant: Merchant) -> list[Alert]:
    return list(Alert.objects.filter(merchant=merchant, rule__code="risk_list_hit"))


def test_a_scheduled_hit_on_an_approved_merchant_raises_one_alert_however_often_it_runs():
    merchant = MerchantFactory(approved=True)
    RiskListEntryFactory(value=merchant.uscc, source="商户黑名单", reason="套现")
    risk_list_recheck(cause="nightly")
    risk_list_recheck(cause="nightly")
    [alert] = _alerts(merchant)
    assert alert.severity == "critical" and alert.status == "open"
    assert merchant.uscc in alert.get_explanation_display()
    # The merchant reads its alerts: nothing of the list but its own identifier.
    assert "商户黑名单" not in alert.explanation and "套现" not in alert.explanation


def test_a_second_entry_of_the_same_merchant_raises_a_second_alert():
    merchant = MerchantFactory(approved=True)
    RiskListEntryFactory(value=merchant.uscc)
    risk_list_recheck(cause="nightly")
    RiskListEntryFactory.mid(merchant.mid)
    risk_list_recheck(cause="nightly")
    assert len(_alerts(merchant)) == 2


def test_the_schedule_records_a_result_only_when_it_changes():
    merchant = MerchantFactory(approved=True)
    risk_list_recheck(cause="nightly")
    risk_list_recheck(cause="nightly")
    [first] = RiskListCheck.objects.filter(merchant=merchant)
    assert (first.result, first.trigger, first.actor) == ("clear", CheckTrigger.SCHEDULE, None)
    entry = RiskListEntryFactory(value=merchant.uscc)
    summary = risk_list_recheck(cause="nightly")
    assert (summary.checked, summary.recorded, summary.hits) == (1, 1, 1)
    hit = RiskListCheck.objects.filter(merchant=merchant).first()
    assert hit.result == CheckResult.HIT and list(hit.entries.all()) == [entry]
    risk_list_recheck(cause="nightly")
    assert RiskListCheck.objects.filter(merchant=merchant).count() == 2


def test_a_delisted_entry_is_recorded_clear_at_the_next_check():
    merchant = MerchantFactory(approved=True)
    entry = RiskListEntryFactory(value=merchant.uscc)
    risk_list_recheck(cause="nightly")
    risk_list_delist(entries=entry.__class__.objects.all(), actor=lead(), reason="移出")
    entry.refresh_from_db()
    assert not entry.active and entry.history.first().history_change_reason == "delisted: 移出"
    risk_list_recheck(cause="nightly")
    assert RiskListCheck.objects.filter(merchant=merchant).first().result == CheckResult.CLEAR


def test_applicants_are_not_checked_by_the_schedule_nor_alerted():
    applicant = MerchantFactory()
    RiskListEntryFactory(value=applicant.uscc)
    risk_list_recheck(cause="nightly")
    assert not RiskListCheck.objects.filter(merchant=applicant).exists()
    assert _alerts(applicant) == []


def test_an_import_rechecks_the_approved_merchants_once_committed(
    django_capture_on_commit_callbacks,
):
    merchant = MerchantFactory(approved=True)
    with django_capture_on_commit_callbacks(execute=True):
        risk_list_import(
            data=csv_bytes(f"uscc,{merchant.uscc},商户黑名单,,"), file_name="a.csv", actor=lead()
        )
    assert RiskListCheck.objects.get(merchant=merchant).result == CheckResult.HIT
    assert len(_alerts(merchant)) == 1


def test_an_import_adding_nothing_queues_no_recheck(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        risk_list_import(data=csv_bytes("mid,1,x,,"), file_name="a.csv", actor=lead())
    assert callbacks == []


def test_the_nightly_recheck_is_a_beat_schedule_at_night_in_beijing():
    task = PeriodicTask.objects.get(task="merchants.tasks.recheck_risk_list")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("2", "0")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    merchant = MerchantFactory(approved=True)
    result = task_named("merchants.tasks.recheck_risk_list").delay().get()
    assert result == {"checked": 1, "recorded": 1, "hits": 0}
    assert RiskListCheck.objects.filter(merchant=merchant).exists()


def test_a_reviewer_records_a_check_with_a_note():
    merchant = MerchantFactory(approved=True)
    staff = reviewer()
    check = risk_list_check_record(
        merchant=merchant, actor=staff, result="clear", note="2026-12-07 风险信息系统查询：无记录"
    )
    assert (check.trigger, check.result, check.actor) == (CheckTrigger.MANUAL, "clear", staff)
    assert _alerts(merchant) == []


def test_a_recorded_hit_on_an_approved_merchant_raises_an_alert():
    merchant = MerchantFactory(approved=True)
    check = risk_list_check_record(
        merchant=merchant, actor=reviewer(), result="hit", note="列入商户黑名单"
    )
    [alert] = _alerts(merchant)
    assert alert.fingerprint == f"risk_list_hit:merchant{merchant.pk}:check{check.pk}"
    assert f"check {check.pk}" in alert.explanation and "列入商户黑名单" not in alert.explanation


def test_a_recorded_hit_is_not_overruled_by_the_schedule():
    merchant = MerchantFactory(approved=True)
    risk_list_check_record(merchant=merchant, actor=reviewer(), result="hit", note="列入")
    risk_list_recheck(cause="nightly")
    from merchants.risk.risklist.selectors import risk_list_guard

    assert "列入" in risk_list_guard(merchant, None)


@pytest.mark.parametrize(
    ("result", "note", "field"),
    [("maybe", "查询", "result"), ("hit", "   ", "note")],
)
def test_a_check_needs_a_result_and_a_note(result, note, field):
    with pytest.raises(ValidationError) as caught:
        risk_list_check_record(
            merchant=MerchantFactory(), actor=reviewer(), result=result, note=note
        )
    assert field in caught.value.message_dict
    assert not RiskListCheck.objects.exists()


def test_only_staff_with_the_permission_record_a_check_or_delist():
    merchant = MerchantFactory()
    from tests.factories import StaffFactory

    with pytest.raises(PermissionDenied):
        risk_list_check_record(merchant=merchant, actor=StaffFactory(), result="hit", note="x")
    with pytest.raises(PermissionDenied):
        risk_list_delist(
            entries=RiskListEntryFactory().__class__.objects.all(), actor=reviewer(), reason="x"
        )
