"""Following a complaint by its tracking code: status in plain words, adding, withdrawing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.common.statemachine import TransitionNotAllowed
from tests.factories import StaffFactory, png_upload
from tests.transactions.complaint_factories import ComplaintFactory, lead, reviewer
from tests.transactions.complaints.cardholder_helpers import TRACK, charge, submit
from transactions.complaints.cardholder.services import cardholder_withdraw
from transactions.complaints.services import complaint_transition, complaint_uphold
from transactions.models import Complaint, ComplaintEvidence, ComplaintStatus, EvidenceSide

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracked(client):
    """A cardholder's complaint and its tracking code."""
    code = submit(client, charge()).context["code"]
    return Complaint.objects.get(), code


def _page(client, code, **data):
    return client.post(TRACK, {"code": code, **data})


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_the_code_shows_the_status_and_the_deadline(client, tracked):
    complaint, code = tracked
    response = _page(client, code)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Received: we will look into it." in body
    local_due = timezone.localtime(complaint.due_at).strftime("%Y-%m-%d")
    assert f'data-testid="complaint-deadline">{local_due}' in body


def test_the_e_mailed_link_opens_the_same_page(client, tracked):
    complaint, code = tracked
    response = client.get(f"{TRACK}{code}/")
    assert response.status_code == 200
    assert f"#{complaint.pk}" in response.content.decode()


def test_the_page_shows_no_rrn_and_no_contact(client, tracked):
    complaint, code = tracked
    body = _page(client, code).content.decode()
    assert complaint.report.rrn not in body
    assert "card.holder@example.com" not in body


def test_a_wrong_code_shows_the_neutral_page(client, tracked):
    response = _page(client, "not-the-code")
    assert response.status_code == 404
    assert b'data-testid="neutral"' in response.content


def test_an_expired_code_shows_the_same_neutral_page(client, tracked):
    complaint, code = tracked
    wrong = _page(client, "not-the-code")
    Complaint.objects.filter(pk=complaint.pk).update(
        status=ComplaintStatus.REJECTED, resolved_at=timezone.now() - timedelta(days=91)
    )
    expired = _page(client, code)
    assert expired.status_code == wrong.status_code == 404
    assert _main(expired) == _main(wrong)


def test_a_resolved_complaint_is_still_shown_within_90_days(client, tracked):
    complaint, code = tracked
    Complaint.objects.filter(pk=complaint.pk).update(
        status=ComplaintStatus.REJECTED, resolved_at=timezone.now() - timedelta(days=89)
    )
    assert _page(client, code).status_code == 200


def test_a_staff_complaint_has_no_tracking_code(client):
    ComplaintFactory()
    assert _page(client, "").status_code == 400
    assert _page(client, "x" * 24).status_code == 404


def test_waiting_for_the_merchant_is_said_in_plain_words(client, tracked):
    complaint, code = tracked
    complaint_transition(complaint=complaint, name="ask_merchant", actor=reviewer(), reason="Slip?")
    assert (
        "We have asked the merchant to explain the charge." in _page(client, code).content.decode()
    )


def test_an_upheld_refund_shows_the_amount(client, tracked):
    complaint, code = tracked
    complaint = complaint_transition(complaint=complaint, name="review", actor=reviewer())
    complaint_uphold(
        complaint=complaint,
        actor=lead(),
        reason="Overcharged.",
        outcome="refund",
        refund_amount="8.00",
    )
    body = _page(client, code).content.decode()
    assert "Decided in your favour." in body
    assert "The merchant refunds CNY 8.00" in body
    assert "Add information" not in body and "Withdraw the complaint" not in body


def test_a_rejection_is_said_in_plain_words_without_staff_notes(client, tracked):
    complaint, code = tracked
    complaint = complaint_transition(complaint=complaint, name="review", actor=reviewer())
    complaint_transition(
        complaint=complaint, name="reject", actor=lead(), reason="Internal note 42"
    )
    body = _page(client, code).content.decode()
    assert "Decided: not upheld." in body
    assert "Internal note 42" not in body


# -- adding information -----------------------------------------------------------------------


def test_the_cardholder_adds_text_while_it_is_open(client, tracked):
    complaint, code = tracked
    response = _page(client, code, action="add", text="I was abroad that day.")
    assert "Thank you: your information was added." in response.content.decode()
    added = ComplaintEvidence.objects.get(complaint=complaint)
    assert (added.side, added.note, added.file.name) == (
        EvidenceSide.CARDHOLDER,
        "I was abroad that day.",
        "",
    )


def test_the_cardholder_adds_a_file(client, tracked):
    complaint, code = tracked
    _page(client, code, action="add", text="My passport stamp.", attachment=png_upload("stamp.png"))
    assert ComplaintEvidence.objects.get(complaint=complaint).original_name == "stamp.png"


def test_staff_are_told_when_information_is_added(
    client, tracked, django_capture_on_commit_callbacks
):
    _complaint, code = tracked
    StaffFactory(groups=["compliance reviewer"], email="reviewer@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _page(client, code, action="add", text="More details.")
    assert mail.outbox[-1].to == ["reviewer@example.com"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write what you want to add."),
        ("card 4111111111111111", "Do not enter a full card number; the last 4 digits are enough."),
    ],
)
def test_bad_information_is_refused(client, tracked, text, message):
    _complaint, code = tracked
    response = _page(client, code, action="add", text=text)
    assert response.status_code == 400
    assert message in response.context["add_form"].errors["text"]
    assert "4111111111111111" not in response.content.decode()
    assert not ComplaintEvidence.objects.exists()


def test_nothing_can_be_added_once_it_is_closed(client, tracked):
    complaint, code = tracked
    cardholder_withdraw(complaint=complaint)
    response = _page(client, code, action="add", text="Too late.")
    assert response.status_code == 400
    assert not ComplaintEvidence.objects.exists()


# -- withdrawing ------------------------------------------------------------------------------


def test_the_cardholder_withdraws_and_the_step_is_recorded(client, tracked):
    complaint, code = tracked
    response = _page(client, code, action="withdraw", reason="The shop refunded me.")
    assert "Your complaint was withdrawn." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.WITHDRAWN
    assert complaint.resolved_at is not None
    step = complaint.transitions.get()
    assert (step.actor, step.reason) == (None, "The shop refunded me.")


def test_a_withdrawn_complaint_cannot_be_withdrawn_again(client, tracked):
    complaint, code = tracked
    _page(client, code, action="withdraw")
    response = _page(client, code, action="withdraw")
    assert response.status_code == 400
    assert complaint.transitions.count() == 1


def test_staffs_complaints_cannot_be_withdrawn_as_the_cardholder():
    complaint = ComplaintFactory()
    with pytest.raises(TransitionNotAllowed):
        cardholder_withdraw(complaint=complaint)


def test_a_signed_in_user_cannot_take_the_cardholders_step(client, tracked):
    complaint, _code = tracked
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(
            complaint=complaint, name="cardholder_withdraw", actor=reviewer(), reason="x"
        )
