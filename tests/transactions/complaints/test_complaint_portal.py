"""The merchant's complaint pages: own complaints only, the trail, the answer, the evidence."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import PDF_BYTES, MembershipFactory
from tests.transactions.complaint_factories import ComplaintFactory, member, reviewer
from transactions.complaints.services import complaint_transition
from transactions.models import ComplaintEvidence, EvidenceSide
from transactions.models import ComplaintStatus as S

pytestmark = pytest.mark.django_db

LIST = reverse("transactions:complaints")


def _detail(complaint):
    return reverse("transactions:complaint_detail", args=[complaint.pk])


def _asked(reason="Send the signed slip"):
    complaint = ComplaintFactory()
    return complaint_transition(
        complaint=complaint, name="ask_merchant", actor=reviewer(), reason=reason
    )


def _evidence(complaint):
    evidence = ComplaintEvidence(
        complaint=complaint, side=EvidenceSide.STAFF, original_name="s.pdf"
    )
    evidence.file.save("s.pdf", ContentFile(PDF_BYTES), save=True)
    return evidence


def test_the_list_shows_only_the_merchants_own_complaints(client):
    mine, theirs = ComplaintFactory(), ComplaintFactory()
    client.force_login(member(mine, "viewer"))
    listed = list(client.get(LIST).context["page"].object_list)
    assert listed == [mine] and theirs not in listed


def test_another_merchants_complaint_is_not_found(client):
    mine, theirs = ComplaintFactory(), ComplaintFactory()
    client.force_login(member(mine))
    assert client.get(_detail(theirs)).status_code == 404
    assert client.post(_detail(theirs), {"text": "mine?"}).status_code == 404


def test_another_merchants_evidence_is_not_found(client):
    mine, theirs = ComplaintFactory(), ComplaintFactory()
    evidence = _evidence(theirs)
    client.force_login(member(mine))
    url = reverse("transactions:complaint_evidence", args=[theirs.pk, evidence.pk])
    assert client.get(url).status_code == 404
    # Nor through one's own complaint id.
    url = reverse("transactions:complaint_evidence", args=[mine.pk, evidence.pk])
    assert client.get(url).status_code == 404


def test_the_merchant_downloads_its_own_evidence(client):
    complaint = ComplaintFactory()
    evidence = _evidence(complaint)
    client.force_login(member(complaint, "viewer"))
    response = client.get(
        reverse("transactions:complaint_evidence", args=[complaint.pk, evidence.pk])
    )
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_the_detail_shows_the_question_in_the_trail_but_never_the_complainant(client):
    complaint = _asked("Send the signed slip")
    client.force_login(member(complaint))
    html = client.get(_detail(complaint)).content.decode()
    assert "Send the signed slip" in html and complaint.report.rrn in html
    assert "王小明" not in html and "5678" not in html


def test_the_owner_answers_with_a_file(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = _asked()
    client.force_login(member(complaint))
    slip = SimpleUploadedFile("slip.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(_detail(complaint), {"text": "Signed slip attached", "attachment": slip})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.MERCHANT_ANSWERED
    assert complaint.evidence.get().side == EvidenceSide.MERCHANT


def test_a_file_that_is_not_a_document_is_a_field_error(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = _asked()
    client.force_login(member(complaint))
    bad = SimpleUploadedFile("slip.pdf", b"MZ\x90", content_type="application/pdf")
    response = client.post(_detail(complaint), {"text": "See file", "attachment": bad})
    assert response.status_code == 200 and response.context["form"].errors["attachment"]
    complaint.refresh_from_db()
    assert complaint.status == S.AWAITING_MERCHANT


def test_a_viewer_reads_but_cannot_answer(client):
    complaint = _asked()
    client.force_login(member(complaint, "viewer"))
    page = client.get(_detail(complaint))
    assert page.context["form"] is None
    assert client.post(_detail(complaint), {"text": "me too"}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == S.AWAITING_MERCHANT


def test_answering_when_not_asked_is_refused_with_a_message(client):
    complaint = ComplaintFactory(status=S.UNDER_REVIEW)
    client.force_login(member(complaint))
    response = client.post(_detail(complaint), {"text": "hello"}, follow=True)
    assert "cannot be answered now" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == S.UNDER_REVIEW


def test_the_alerts_page_shows_the_complaint_counts(client):
    complaint = ComplaintFactory()
    ComplaintFactory(
        merchant=complaint.merchant,
        report=complaint.report,
        status=S.UPHELD,
        resolved_at=timezone.now(),
    )
    client.force_login(member(complaint))
    html = client.get(reverse("transactions:alerts")).content.decode()
    assert "Cardholder complaints: 1 open, 1 upheld in the last 30 days." in html


def test_the_nav_links_to_complaints(client):
    client.force_login(MembershipFactory().user)
    assert f'href="{LIST}"' in client.get(LIST).content.decode()
