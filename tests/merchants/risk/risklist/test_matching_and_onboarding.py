"""A merchant matches the list by its USCC, its legal representative's ID number or its MID; a
hit is recorded when its review starts and blocks its approval."""

from __future__ import annotations

import pytest
from django.urls import reverse

from merchants.models import ApplicationStatus, CheckResult, CheckTrigger, Merchant, RiskListCheck
from merchants.onboarding.services import application_transition, application_update
from merchants.risk.risklist.selectors import matches, merchant_matches
from merchants.risk.risklist.services import risk_list_check_record
from portal.common.crypto import id_number_digest
from portal.common.statemachine import TransitionNotAllowed
from tests.factories import MembershipFactory, MerchantFactory, RiskListEntryFactory, make_id_number
from tests.merchants.risk.risklist.helpers import lead, reviewer

pytestmark = pytest.mark.django_db

ID = make_id_number(77)


def test_a_merchant_matches_by_its_uscc():
    merchant = MerchantFactory()
    entry = RiskListEntryFactory(value=merchant.uscc)
    RiskListEntryFactory()  # another code
    assert merchant_matches(merchant) == [entry]


def test_a_merchant_matches_by_its_legal_representatives_id_number():
    merchant = MerchantFactory()
    owner = MembershipFactory(merchant=merchant).user
    merchant = application_update(
        merchant=merchant, actor=owner, data={"legal_rep_id_number": ID.lower()}
    )
    assert merchant.legal_rep_id_digest == id_number_digest(ID)
    entry = RiskListEntryFactory.id_number(ID)
    RiskListEntryFactory.id_number(make_id_number(78))
    assert merchant_matches(merchant) == [entry]


def test_a_merchant_matches_by_its_mid():
    merchant = MerchantFactory(approved=True)
    entry = RiskListEntryFactory.mid(merchant.mid)
    assert merchant_matches(merchant) == [entry]


def test_every_entry_matched_is_listed_and_other_merchants_are_left_out():
    merchant = MerchantFactory(approved=True, legal_rep_id_digest=id_number_digest(ID))
    clean = MerchantFactory(approved=True)
    entries = [
        RiskListEntryFactory(value=merchant.uscc),
        RiskListEntryFactory.id_number(ID),
        RiskListEntryFactory.mid(merchant.mid),
        RiskListEntryFactory(value=merchant.uscc, source="涉赌涉诈名单"),
    ]
    found = matches(Merchant.objects.filter(pk__in=[merchant.pk, clean.pk]))
    assert set(found) == {merchant.pk}
    assert sorted(e.pk for e in found[merchant.pk]) == sorted(e.pk for e in entries)


def test_a_delisted_entry_and_an_empty_id_hash_match_nothing():
    merchant = MerchantFactory(legal_rep_id_digest="")
    RiskListEntryFactory(value=merchant.uscc, active=False)
    RiskListEntryFactory.id_number(ID)
    assert merchant_matches(merchant) == []


def test_starting_a_review_records_the_check_with_what_matched():
    merchant = MerchantFactory(status=ApplicationStatus.SUBMITTED)
    entry = RiskListEntryFactory(value=merchant.uscc)
    staff = reviewer()
    application_transition(merchant=merchant, name="start_review", actor=staff)
    check = RiskListCheck.objects.get(merchant=merchant)
    assert (check.result, check.trigger, check.actor) == (
        CheckResult.HIT,
        CheckTrigger.ONBOARDING,
        staff,
    )
    assert list(check.entries.all()) == [entry]


def test_a_clear_applicant_is_recorded_clear_and_approved():
    merchant = MerchantFactory(status=ApplicationStatus.SUBMITTED)
    RiskListEntryFactory()
    application_transition(merchant=merchant, name="start_review", actor=reviewer())
    assert RiskListCheck.objects.get(merchant=merchant).result == CheckResult.CLEAR
    merchant = application_transition(merchant=merchant, name="approve", actor=lead())
    assert merchant.status == ApplicationStatus.APPROVED


def test_a_hit_blocks_approval_with_the_entry_in_the_message():
    merchant = MerchantFactory(status=ApplicationStatus.UNDER_REVIEW)
    RiskListEntryFactory(value=merchant.uscc, source="商户黑名单", reason="套现")
    with pytest.raises(TransitionNotAllowed, match=r"external risk list.*商户黑名单.*套现"):
        application_transition(merchant=merchant, name="approve", actor=lead())
    merchant.refresh_from_db()
    assert merchant.status == ApplicationStatus.UNDER_REVIEW and merchant.mid is None


def test_an_entry_listed_after_the_review_started_still_blocks_approval():
    merchant = MerchantFactory(status=ApplicationStatus.SUBMITTED)
    application_transition(merchant=merchant, name="start_review", actor=reviewer())
    RiskListEntryFactory(value=merchant.uscc)
    with pytest.raises(TransitionNotAllowed):
        application_transition(merchant=merchant, name="approve", actor=lead())


def test_a_hit_recorded_by_staff_blocks_approval_until_a_clear_check_is_recorded():
    merchant = MerchantFactory(status=ApplicationStatus.UNDER_REVIEW)
    staff = reviewer()
    risk_list_check_record(merchant=merchant, actor=staff, result="hit", note="列入黑名单")
    with pytest.raises(TransitionNotAllowed, match="列入黑名单"):
        application_transition(merchant=merchant, name="approve", actor=lead())
    risk_list_check_record(merchant=merchant, actor=staff, result="clear", note="已移出")
    merchant = application_transition(merchant=merchant, name="approve", actor=lead())
    assert merchant.status == ApplicationStatus.APPROVED


def test_the_admin_refuses_the_approval_and_shows_the_hit_on_the_application(client):
    merchant = MerchantFactory(status=ApplicationStatus.UNDER_REVIEW)
    RiskListEntryFactory(value=merchant.uscc, source="商户黑名单")
    client.force_login(lead())
    response = client.post(
        reverse("admin:merchants_merchant_changelist"),
        {"action": "approve", "_selected_action": [merchant.pk]},
        follow=True,
    )
    assert "external risk list" in response.content.decode()
    assert Merchant.objects.get(pk=merchant.pk).status == ApplicationStatus.UNDER_REVIEW
    page = client.get(reverse("admin:merchants_merchant_change", args=[merchant.pk]))
    html = page.content.decode()
    assert 'data-testid="risk-list-hit"' in html and "商户黑名单" in html


def test_a_changed_uscc_is_checked_when_the_change_is_approved():
    from tests.merchants.risk.changes.helpers import approve, ask, owned_merchant, review

    merchant, owner = owned_merchant()
    change = ask(merchant, owner, "uscc")
    RiskListEntryFactory(value=change.new_values["uscc"])
    approve(review(change))
    check = RiskListCheck.objects.get(merchant=merchant)
    assert (check.result, check.trigger) == (CheckResult.HIT, CheckTrigger.CHANGE)
