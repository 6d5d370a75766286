"""Checking a charge: exactly one report matches, or the same neutral answer; what is shown."""

import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest

from portal.common.beijing import SHANGHAI
from tests.factories import MerchantFactory
from tests.transactions.audit.helpers import reporting_terminal, shanghai
from tests.transactions.complaints.cardholder_helpers import LOOKUP, charge, qr_charge, slip
from transactions.complaints.cardholder.lookup import charge_matching, mcc_category
from transactions.complaints.cardholder.tokens import charge_from_token, charge_token

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    """The page's main content (the header's CSRF token differs on every response)."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def _match(report, **overrides):
    facts = {
        "occurred_at": report.occurred_at,
        "amount": report.amount,
        "last4": report.last4,
        "tid": report.tid,
    }
    return charge_matching(**(facts | overrides))


# -- matching rules ---------------------------------------------------------------------------


def test_one_report_matches_by_time_amount_last4_and_terminal():
    wanted = charge()
    charge(wanted.terminal, masked_pan="622848******9999")
    assert _match(wanted) == wanted


def test_the_time_may_be_ten_minutes_out_either_way():
    wanted = charge()
    assert _match(wanted, occurred_at=wanted.occurred_at + timedelta(minutes=10)) == wanted
    assert _match(wanted, occurred_at=wanted.occurred_at - timedelta(minutes=10)) == wanted


def test_eleven_minutes_out_matches_nothing():
    wanted = charge()
    assert _match(wanted, occurred_at=wanted.occurred_at + timedelta(minutes=11)) is None
    assert _match(wanted, occurred_at=wanted.occurred_at - timedelta(minutes=11)) is None


def test_the_amount_must_be_exact():
    wanted = charge()
    assert _match(wanted, amount=Decimal("88.01")) is None
    assert _match(wanted, amount=Decimal("88")) == wanted


def test_other_card_digits_or_terminal_match_nothing():
    wanted = charge()
    assert _match(wanted, last4="9999") is None
    assert _match(wanted, tid="ZZZZ9999") is None


def test_two_reports_that_fit_match_nothing():
    first = charge()
    charge(first.terminal, at=first.occurred_at + timedelta(minutes=3))
    assert _match(first) is None


def test_the_merchant_name_as_printed_stands_for_the_terminal():
    merchant = MerchantFactory(
        approved=True, legal_name="上海示例超市有限公司", short_name="示例超市"
    )
    wanted = charge(reporting_terminal(merchant=merchant))
    assert _match(wanted, tid="", merchant_name="  示例超市 ") == wanted
    assert _match(wanted, tid="", merchant_name="上海示例超市有限公司") == wanted
    assert _match(wanted, tid="", merchant_name="示例") is None


def test_a_qr_payment_is_found_by_its_order_number():
    wanted = qr_charge()
    assert _match(wanted, last4="", order_no=wanted.rrn) == wanted
    assert _match(wanted, last4="", order_no="420009999999") is None


def test_card_digits_never_match_a_qr_payment_by_its_rrn():
    card = charge()
    assert _match(card, last4="", order_no=card.rrn) is None


def test_a_refund_of_the_charge_does_not_count_as_a_second_match():
    sale = charge()
    refund = charge(sale.terminal, type="refund", original_report_id=str(sale.report_id))
    assert _match(refund) == sale


def test_without_card_digits_or_merchant_nothing_matches():
    wanted = charge()
    assert _match(wanted, last4="") is None
    assert _match(wanted, tid="") is None


def test_mcc_category_follows_the_iso_18245_ranges():
    assert str(mcc_category("5411")) == "Retail stores"
    assert str(mcc_category("5812")) == "Miscellaneous stores"
    assert mcc_category("") == ""


# -- the signed charge token ------------------------------------------------------------------


def test_the_charge_token_gives_back_its_report():
    report = charge()
    assert charge_from_token(charge_token(report)) == report


def test_a_changed_charge_token_gives_nothing():
    token = charge_token(charge())
    assert charge_from_token(token[:-2] + "xx") is None
    assert charge_from_token("not-a-token") is None


def test_a_charge_token_older_than_30_minutes_gives_nothing():
    token = charge_token(charge())
    with mock.patch("time.time", return_value=time.time() + 31 * 60):
        assert charge_from_token(token) is None


# -- the page ---------------------------------------------------------------------------------


def test_the_lookup_page_shows_the_form_in_chinese_first(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.get(LOOKUP)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "<h1>核对扣款</h1>" in body


def test_a_match_shows_the_merchant_time_amount_method_and_verification(client):
    merchant = MerchantFactory(
        approved=True,
        legal_name="上海示例超市有限公司",
        registered_city="上海市",
        mcc="5411",
        contact_phone="02112345678",
        contact_email="boss@example.com",
    )
    report = charge(reporting_terminal(merchant=merchant), cvm="signature")
    response = client.post(LOOKUP, slip(report))
    body = response.content.decode()
    assert response.status_code == 200
    for shown in (
        "上海示例超市有限公司",
        "上海市",
        "Retail stores",
        "88.00",
        "Credit card",
        "Signed",
    ):
        assert shown in body
    local = report.occurred_at.astimezone(SHANGHAI)
    assert local.strftime("%Y-%m-%d %H:%M") in body


def test_a_match_shows_no_rrn_no_contact_and_no_report_id(client):
    merchant = MerchantFactory(
        approved=True, contact_phone="02112345678", contact_email="boss@example.com"
    )
    report = charge(reporting_terminal(merchant=merchant))
    body = client.post(LOOKUP, slip(report)).content.decode()
    for hidden in (report.rrn, "02112345678", "boss@example.com", report.tid, f"/{report.pk}/"):
        assert hidden not in body


def test_none_and_several_matches_get_the_same_neutral_page(client):
    first = charge()
    none = client.post(LOOKUP, slip(first, amount="1.00"))
    charge(first.terminal, at=first.occurred_at + timedelta(minutes=2))
    several = client.post(LOOKUP, slip(first))
    assert none.status_code == several.status_code == 200
    assert _main(none) == _main(several)
    assert b'data-testid="neutral"' in none.content


def test_the_time_is_read_as_beijing_time(client):
    # 00:30 in Beijing is the previous day in UTC: the slip's date and time are Beijing's.
    report = charge(at=shanghai(2, 0, 30))
    response = client.post(LOOKUP, slip(report))
    assert b'data-testid="charge"' in response.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day", "31/02/2026", "Enter a date."),
        ("time", "25:99", "Enter a time such as 14:05."),
        ("amount", "12.345", "Ensure that there are no more than 2 decimal places."),
        ("amount", "0", "Ensure this value is greater than or equal to 0.01."),
        ("last4", "12a4", "Enter only the last 4 digits of the card."),
        ("tid", "ABC", "A terminal ID is 8 letters and digits."),
        ("order_no", "12-34", "An order number is 6 to 32 letters and digits."),
    ],
)
def test_bad_input_is_a_clear_field_error(client, field, value, message):
    report = charge()
    response = client.post(LOOKUP, slip(report, **{field: value}))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]


def test_missing_card_digits_and_merchant_are_asked_for(client):
    report = charge()
    response = client.post(LOOKUP, slip(report, last4="", tid=""))
    errors = response.context["form"].errors
    assert "Enter the card's last 4 digits or the QR payment's order number." in errors["last4"]
    assert "Enter the terminal ID or the merchant's name." in errors["tid"]


def test_a_future_time_is_refused(client):
    report = charge()
    response = client.post(LOOKUP, slip(report, day="2099-01-01"))
    assert "The date and time are in the future." in response.context["form"].errors["day"]


@pytest.mark.parametrize("field", ["last4", "order_no", "merchant_name", "tid"])
def test_a_full_card_number_in_any_field_is_refused_and_not_shown_back(client, field):
    report = charge()
    response = client.post(LOOKUP, slip(report, **{field: "4111 1111 1111 1111"}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [
        "Do not enter a full card number; the last 4 digits are enough."
    ]
    body = response.content.decode()
    assert "4111 1111 1111 1111" not in body and "4111111111111111" not in body
