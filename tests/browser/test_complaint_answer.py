"""A merchant owner finds a complaint awaiting its answer, is refused a bad file, answers with a slip."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.factories import PDF_BYTES, MembershipFactory
from tests.transactions.complaint_factories import ComplaintFactory, reviewer
from transactions.complaints.services import complaint_transition
from transactions.models import ComplaintStatus


def _complaint_asking_the_owner():
    complaint = ComplaintFactory(description="The cardholder says there was no PIN nor signature.")
    complaint = complaint_transition(
        complaint=complaint,
        name="ask_merchant",
        actor=reviewer(),
        reason="Please upload the signed slip.",
    )
    owner = MembershipFactory(merchant=complaint.merchant, role="owner").user
    return complaint, owner


def test_owner_answers_a_complaint_with_the_signed_slip(page: Page, live_server):
    complaint, owner = _complaint_asking_the_owner()
    page.goto("/accounts/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", "pass-word-123")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Complaints").click()
    expect(page.get_by_test_id("complaint-row")).to_contain_text("Awaiting the merchant")
    page.get_by_test_id("complaint-row").get_by_role("link", name=str(complaint.pk)).click()
    expect(page).to_have_url(re.compile(rf"/merchant/complaints/{complaint.pk}/$"))
    expect(page.get_by_test_id("trail")).to_contain_text("Please upload the signed slip.")
    expect(page.locator("body")).not_to_contain_text("王小明")

    # A file that is not a document is refused as a field error; the text is kept.
    page.fill("#id_text", "The cardholder signed; the slip is attached.")
    page.set_input_files(
        "#id_attachment", {"name": "slip.pdf", "mimeType": "application/pdf", "buffer": b"MZ"}
    )
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".has-error .field-errors")).to_contain_text("PDF, JPEG or PNG")
    expect(page.locator("#id_text")).to_have_value("The cardholder signed; the slip is attached.")

    page.set_input_files(
        "#id_attachment", {"name": "slip.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".msg-success")).to_contain_text("Your answer was sent to compliance.")
    expect(page.get_by_test_id("complaint-status")).to_have_text("Merchant answered")
    expect(page.get_by_test_id("trail")).to_contain_text("the slip is attached")
    expect(page.get_by_test_id("evidence").get_by_role("link", name="slip.pdf")).to_be_visible()
    screenshot(page, "merchant-complaint-answered")

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.MERCHANT_ANSWERED
    assert complaint.evidence.get().original_name == "slip.pdf"
