"""Each kind of change: the old values stay in force until approval, then the new ones apply."""

import pytest
from django.db import connection

from merchants.models import ChangeKind, ChangeRequest, ChangeStatus, Merchant
from merchants.risk.changes.kinds import KINDS
from merchants.risk.changes.services import change_document_add, change_request_transition
from tests.factories import png_upload
from tests.merchants.risk.changes.helpers import (
    NEW_ACCOUNT,
    PROPOSALS,
    approve,
    ask,
    lead,
    owned_merchant,
    review,
    reviewer,
)

pytestmark = pytest.mark.django_db

KIND_VALUES = list(ChangeKind.values)


def _columns(merchant: Merchant, kind: str) -> dict[str, str]:
    names = list(PROPOSALS[kind][1])
    return {name: getattr(merchant, name) for name in names}


@pytest.mark.parametrize("kind", KIND_VALUES)
def test_old_values_stay_in_force_until_approval(kind):
    merchant, owner = owned_merchant()
    before = _columns(merchant, kind)
    change = review(ask(merchant, owner, kind))
    merchant.refresh_from_db()
    assert _columns(merchant, kind) == before
    assert change.status == ChangeStatus.UNDER_REVIEW


@pytest.mark.parametrize("kind", KIND_VALUES)
def test_approval_applies_the_new_values(kind):
    merchant, owner = owned_merchant()
    approve(review(ask(merchant, owner, kind)))
    merchant.refresh_from_db()
    assert _columns(merchant, kind) == PROPOSALS[kind][1]


@pytest.mark.parametrize("kind", KIND_VALUES)
def test_rejection_keeps_the_old_values(kind):
    merchant, owner = owned_merchant()
    before = _columns(merchant, kind)
    change = review(ask(merchant, owner, kind))
    change_request_transition(change=change, name="reject", actor=lead(), reason="licence unclear")
    merchant.refresh_from_db()
    assert _columns(merchant, kind) == before


@pytest.mark.parametrize("kind", KIND_VALUES)
def test_the_record_keeps_old_and_new(kind):
    merchant, owner = owned_merchant()
    before = {column: getattr(merchant, column) for column in KINDS[kind].columns}
    change = approve(review(ask(merchant, owner, kind)))
    assert change.old_values == before
    assert set(change.new_values) == {*KINDS[kind].columns, *KINDS[kind].derived}


def test_a_change_of_nothing_is_refused():
    merchant, owner = owned_merchant()
    with pytest.raises(Exception) as caught:
        ask(merchant, owner, ChangeKind.MCC, {"mcc": merchant.mcc})
    assert caught.value.code == "no_change"
    assert not ChangeRequest.objects.exists()


def test_the_same_account_again_is_no_change():
    merchant, owner = owned_merchant()
    data = {
        "bank_name": merchant.bank_name,
        "bank_account_holder": merchant.bank_account_holder,
        "bank_account_number": merchant.bank_account_number,
    }
    with pytest.raises(Exception) as caught:
        ask(merchant, owner, ChangeKind.SETTLEMENT_ACCOUNT, data)
    assert caught.value.code == "no_change"


def test_another_account_with_the_same_last_four_digits_is_a_change():
    merchant, owner = owned_merchant(bank_account_number="6222021234567890123")
    data = {
        "bank_name": merchant.bank_name,
        "bank_account_holder": merchant.bank_account_holder,
        "bank_account_number": "6222029999999990123",
    }
    approve(review(ask(merchant, owner, ChangeKind.SETTLEMENT_ACCOUNT, data)))
    merchant.refresh_from_db()
    assert merchant.bank_account_number == "6222029999999990123"


def test_only_one_open_request_per_kind():
    merchant, owner = owned_merchant()
    ask(merchant, owner, ChangeKind.MCC)
    with pytest.raises(Exception) as caught:
        ask(merchant, owner, ChangeKind.MCC, {"mcc": "5999"})
    assert caught.value.code == "already_open"
    ask(merchant, owner, ChangeKind.LEGAL_NAME)  # another kind is free
    assert ChangeRequest.objects.filter(merchant=merchant).count() == 2


def test_a_decided_request_frees_its_kind():
    merchant, owner = owned_merchant()
    change = ask(merchant, owner, ChangeKind.MCC)
    change_request_transition(change=change, name="withdraw", actor=owner)
    assert ask(merchant, owner, ChangeKind.MCC, {"mcc": "5999"}).status == ChangeStatus.SUBMITTED


def test_more_information_then_resubmit_then_approve():
    merchant, owner = owned_merchant()
    change = review(ask(merchant, owner, ChangeKind.USCC))
    change = change_request_transition(
        change=change, name="request_info", actor=reviewer(), reason="licence page 2 please"
    )
    change_document_add(change=change, actor=owner, upload=png_upload("page2.png"))
    change = change_request_transition(change=change, name="resubmit", actor=owner, reason="added")
    approve(review(change))
    merchant.refresh_from_db()
    assert merchant.uscc == PROPOSALS[ChangeKind.USCC][1]["uscc"]
    assert change.documents.count() == 2


def test_the_account_number_is_encrypted_at_rest_in_the_request():
    merchant, owner = owned_merchant()
    change = ask(merchant, owner, ChangeKind.SETTLEMENT_ACCOUNT, contact_phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_number, contact_phone, new_values FROM merchants_changerequest"
            " WHERE id = %s",
            [change.pk],
        )
        account, phone, values = cursor.fetchone()
    assert NEW_ACCOUNT not in account and "13912345678" not in phone
    assert NEW_ACCOUNT not in str(values)
    assert ChangeRequest.objects.get(pk=change.pk).account_number == NEW_ACCOUNT


def test_secrets_leave_the_request_once_decided():
    merchant, owner = owned_merchant()
    change = ask(merchant, owner, ChangeKind.SETTLEMENT_ACCOUNT, contact_phone="13912345678")
    change = approve(review(change))
    change.refresh_from_db()
    assert change.account_number == "" and change.contact_phone == ""
    merchant.refresh_from_db()
    assert merchant.bank_account_number == NEW_ACCOUNT


def test_the_full_id_number_is_never_stored():
    merchant, owner = owned_merchant()
    change = approve(review(ask(merchant, owner, ChangeKind.LEGAL_REP)))
    number = PROPOSALS[ChangeKind.LEGAL_REP][0]["legal_rep_id_number"]
    assert number not in str(change.new_values)
    assert number not in str(list(change.history.values()))


def test_the_database_refuses_a_second_open_request_for_the_same_kind():
    from django.db import IntegrityError, transaction

    merchant, owner = owned_merchant()
    ask(merchant, owner, ChangeKind.MCC)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.create(
            merchant=merchant, kind=ChangeKind.MCC, status=ChangeStatus.UNDER_REVIEW
        )
