"""A cardholder's complaint: the proof code, the checks, and the handoff to the staff workflow."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from tests.factories import PDF_BYTES, MembershipFactory, png_upload
from tests.transactions.complaint_factories import lead, reviewer
from tests.transactions.complaints.cardholder_helpers import (
    ask_code,
    charge,
    complain_url,
    complaint_post,
    sms_outbox,
    submit,
)
from transactions.complaints.cardholder.proof import MAX_TRIES
from transactions.complaints.services import (
    complaint_answer,
    complaint_transition,
    complaint_uphold,
)
from transactions.models import (
    Complaint,
    ComplaintChannel,
    ComplaintEvidence,
    ComplaintStatus,
    EvidenceSide,
)

pytestmark = pytest.mark.django_db

PAN_MESSAGE = "Do not enter a full card number; the last 4 digits are enough."


# -- the proof code ---------------------------------------------------------------------------


def test_the_code_goes_to_the_e_mail_given(client):
    ask_code(client, charge(), email="card.holder@example.com")
    assert mail.outbox[-1].to == ["card.holder@example.com"]
    assert re.search(r"\b\d{6}\b", mail.outbox[-1].body)


def test_with_a_phone_only_the_code_goes_by_sms(client):
    ask_code(client, charge(), phone="139 1234 5678")
    assert sms_outbox()[-1][0] == "+8613912345678"
    assert not mail.outbox


@pytest.mark.parametrize(
    ("contact", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "Enter a valid mobile phone number."),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
        ({}, "phone", "Give a mobile phone number or an e-mail address."),
        ({"phone": "4111111111111111"}, "phone", PAN_MESSAGE),
    ],
)
def test_a_bad_contact_is_a_clear_error_and_sends_nothing(client, contact, field, message):
    response = client.post(complain_url(charge()), {"phone": "", "email": ""} | contact)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert not mail.outbox and not sms_outbox()


def test_an_expired_or_changed_charge_link_shows_the_expired_page(client):
    url = complain_url(charge())
    response = client.get(url[:-3] + "xx/")
    assert response.status_code == 404
    assert b'data-testid="neutral"' in response.content


# -- submitting -------------------------------------------------------------------------------


def test_the_complaint_enters_the_workflow_marked_as_the_cardholders(client):
    report = charge()
    response = submit(client, report)
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.channel == ComplaintChannel.CARDHOLDER
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.report == report and complaint.merchant == report.merchant
    assert complaint.created_by is None
    assert complaint.complainant_email == "card.holder@example.com"
    assert complaint.due_at - complaint.created_at == timedelta(days=complaint.reason.answer_days)


def test_the_tracking_code_is_shown_once_and_only_its_hash_is_stored(client):
    response = submit(client, charge())
    code = response.context["code"]
    complaint = Complaint.objects.get()
    assert len(code) >= 24
    assert complaint.tracking_hash == hashlib.sha256(code.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM transactions_complaint")
        assert code not in str(cursor.fetchall())


def test_the_tracking_link_is_e_mailed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, charge())
    code = response.context["code"]
    assert f"/cardholder/track/{code}/" in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["card.holder@example.com"]


def test_the_contact_is_encrypted_at_rest(client):
    submit(client, charge())
    with connection.cursor() as cursor:
        cursor.execute("SELECT complainant_email FROM transactions_complaint")
        [(stored,)] = cursor.fetchall()
    assert "card.holder" not in stored


def test_evidence_is_stored_as_the_cardholders(client):
    submit(client, charge(), evidence=[png_upload("receipt.png")])
    evidence = ComplaintEvidence.objects.get()
    assert evidence.side == EvidenceSide.CARDHOLDER
    assert evidence.original_name == "receipt.png"


def test_a_file_that_is_not_a_document_is_refused_and_the_code_still_works(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url, ticket, code = ask_code(client, charge())
    bad = SimpleUploadedFile("receipt.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(url + "send/", complaint_post(ticket, code, evidence=[bad]))
    assert response.status_code == 400
    assert "Upload a PDF, JPEG or PNG file." in response.context["form"].errors["evidence"]
    assert not Complaint.objects.exists()
    good = SimpleUploadedFile("receipt.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(url + "send/", complaint_post(ticket, code, evidence=[good]))
    assert Complaint.objects.count() == 1


def test_a_too_large_file_is_refused(client, settings):
    settings.DOCUMENT_MAX_BYTES = 10
    response = submit(client, charge(), evidence=[png_upload("big.png")])
    assert response.status_code == 400
    assert "limit" in str(response.context["form"].errors["evidence"])


def test_a_wrong_code_is_refused(client):
    url, ticket, code = ask_code(client, charge())
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post(url + "send/", complaint_post(ticket, wrong))
    assert response.status_code == 400
    assert (
        "The code is wrong or has expired. Ask for a new code."
        in response.context["form"].errors["code"]
    )
    assert not Complaint.objects.exists()


def test_after_too_many_wrong_codes_the_right_one_is_refused_too(client):
    url, ticket, code = ask_code(client, charge())
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _attempt in range(MAX_TRIES):
        client.post(url + "send/", complaint_post(ticket, wrong))
    client.post(url + "send/", complaint_post(ticket, code))
    assert not Complaint.objects.exists()


def test_a_code_is_used_once(client):
    url, ticket, code = ask_code(client, charge())
    client.post(url + "send/", complaint_post(ticket, code))
    client.post(url + "send/", complaint_post(ticket, code))
    assert Complaint.objects.count() == 1


def test_a_code_for_one_charge_does_not_file_against_another(client):
    _url, ticket, code = ask_code(client, charge())
    other = charge(amount="99.00")
    response = client.post(complain_url(other) + "send/", complaint_post(ticket, code))
    assert response.status_code == 400
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "", "Describe what happened."),
        ("reason", "", "Choose a reason."),
        ("code", "12ab", "The code is 6 digits."),
        ("description", "My card 4111-1111-1111-1111 was charged", PAN_MESSAGE),
    ],
)
def test_bad_complaint_input_is_a_clear_field_error(client, field, value, message):
    url, ticket, code = ask_code(client, charge())
    response = client.post(url + "send/", complaint_post(ticket, code, **{field: value}))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert "4111-1111-1111-1111" not in response.content.decode()
    assert not Complaint.objects.exists()


# -- the handoff ------------------------------------------------------------------------------


def test_staff_take_the_cardholders_complaint_through_the_usual_workflow(client):
    submit(client, charge())
    complaint = Complaint.objects.get()
    complaint = complaint_transition(
        complaint=complaint, name="ask_merchant", actor=reviewer(), reason="Send the slip."
    )
    owner = MembershipFactory(merchant=complaint.merchant, role="owner").user
    complaint = complaint_answer(complaint=complaint, actor=owner, text="Signed slip attached.")
    complaint = complaint_transition(complaint=complaint, name="review", actor=reviewer())
    complaint = complaint_uphold(
        complaint=complaint, actor=lead(), reason="Charged twice.", outcome="reversal"
    )
    assert complaint.status == ComplaintStatus.UPHELD
    assert complaint.amendment is not None


def test_the_merchant_is_asked_by_e_mail_as_for_staffs_complaints(
    client, django_capture_on_commit_callbacks
):
    submit(client, charge())
    complaint = Complaint.objects.get()
    MembershipFactory(merchant=complaint.merchant, role="owner", user__email="owner@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_transition(
            complaint=complaint, name="ask_merchant", actor=reviewer(), reason="Why?"
        )
    assert mail.outbox[-1].to == ["owner@example.com"]
    assert "card.holder@example.com" not in mail.outbox[-1].body
