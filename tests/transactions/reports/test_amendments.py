import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from merchants.models import Role
from tests.factories import MembershipFactory, StaffFactory, UserFactory
from tests.transactions.helpers import REPORTS, TerminalAPI, report
from transactions.models import Report
from transactions.reports.amendments import report_amend

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(client):
    api = TerminalAPI(client)
    api.post(REPORTS, report(api.terminal))
    return Report.objects.get()


def test_owner_records_a_correction_and_the_report_stays_as_sent(stored):
    owner = MembershipFactory(merchant=stored.merchant, role=Role.OWNER).user
    amendment = report_amend(
        report=stored,
        actor=owner,
        reason="Cashier typed 128.50 for 12.85",
        changes={"amount": "12.85"},
    )
    stored.refresh_from_db()
    assert str(stored.amount) == "128.50"
    assert amendment.changes == {"amount": "12.85"} and amendment.created_by == owner


def test_amendment_follows_the_report_rules(stored):
    owner = MembershipFactory(merchant=stored.merchant).user
    with pytest.raises(ValidationError) as exc:
        report_amend(report=stored, actor=owner, reason="typo", changes={"amount": "1.234"})
    assert "amount" in exc.value.message_dict


@pytest.mark.parametrize("changes", [{}, {"rrn": "x"}, {"report_id": "y"}])
def test_only_some_fields_can_be_amended(stored, changes):
    owner = MembershipFactory(merchant=stored.merchant).user
    with pytest.raises(ValidationError):
        report_amend(report=stored, actor=owner, reason="typo", changes=changes)


def test_reason_is_required(stored):
    owner = MembershipFactory(merchant=stored.merchant).user
    with pytest.raises(ValidationError):
        report_amend(report=stored, actor=owner, reason=" ", changes={"amount": "1.00"})


def test_other_merchants_and_viewers_cannot_amend(stored):
    for actor in (
        MembershipFactory().user,
        MembershipFactory(merchant=stored.merchant, role=Role.VIEWER).user,
        StaffFactory(),
    ):
        with pytest.raises(PermissionDenied):
            report_amend(report=stored, actor=actor, reason="x", changes={"amount": "1.00"})


def test_reports_are_read_only_in_admin(client, stored):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:transactions_report_change", args=[stored.pk]))
    assert page.status_code == 200
    assert stored.content_hash not in page.content.decode()
    client.post(reverse("admin:transactions_report_change", args=[stored.pk]), {"amount": "1"})
    stored.refresh_from_db()
    assert str(stored.amount) == "128.50"
    assert (
        client.get(reverse("admin:transactions_report_changelist"), {"q": stored.rrn}).status_code
        == 200
    )


def test_correction_from_the_report_page(client, stored):
    client.force_login(MembershipFactory(merchant=stored.merchant, role=Role.STAFF).user)
    url = reverse("transactions:report_detail", args=[stored.pk])
    response = client.post(url, {"field": "amount", "value": "12.85", "reason": "typo"})
    assert response.status_code == 302
    assert stored.amendments.get().changes == {"amount": "12.85"}
    bad = client.post(url, {"field": "amount", "value": "-1", "reason": "typo"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert stored.amendments.count() == 1
