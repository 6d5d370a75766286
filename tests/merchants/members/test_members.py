import pytest
from django.urls import reverse

from merchants.models import Membership, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NEW = {
    "username": "cashier1",
    "email": "c1@example.com",
    "role": "staff",
    "password": "Cashier-pw-2026",
}


@pytest.fixture
def owner(client):
    membership = MembershipFactory(role=Role.OWNER)
    client.force_login(membership.user)
    return membership


def test_owner_adds_a_colleague(client, owner):
    assert client.post(reverse("merchants:members"), NEW).status_code == 302
    added = Membership.objects.get(user__username="cashier1")
    assert (added.merchant, added.role) == (owner.merchant, Role.STAFF)
    assert added.user.check_password("Cashier-pw-2026")


@pytest.mark.parametrize(
    ("field", "value"),
    [("password", "123"), ("email", "nope"), ("role", "admin"), ("username", "")],
)
def test_bad_member_input_is_a_field_error(client, owner, field, value):
    response = client.post(reverse("merchants:members"), {**NEW, field: value})
    assert field in response.context["form"].errors
    assert not Membership.objects.filter(user__username="cashier1").exists()


def test_taken_username_is_refused(client, owner):
    response = client.post(reverse("merchants:members"), {**NEW, "username": owner.user.username})
    assert "username" in response.context["form"].errors


def test_owner_changes_a_role(client, owner):
    other = MembershipFactory(merchant=owner.merchant, role=Role.VIEWER)
    client.post(reverse("merchants:member_role", args=[other.pk]), {"role": "staff"})
    other.refresh_from_db()
    assert other.role == Role.STAFF


def test_last_owner_cannot_be_demoted(client, owner):
    response = client.post(
        reverse("merchants:member_role", args=[owner.pk]), {"role": "viewer"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_removing_a_colleague_deactivates_the_login(client, owner):
    other = MembershipFactory(merchant=owner.merchant, role=Role.STAFF)
    client.post(reverse("merchants:member_remove", args=[other.pk]))
    assert not Membership.objects.filter(pk=other.pk).exists()
    other.user.refresh_from_db()
    assert not other.user.is_active


@pytest.mark.parametrize("role", [Role.STAFF, Role.VIEWER])
def test_only_the_owner_manages_members(client, role):
    membership = MembershipFactory(role=role)
    colleague = MembershipFactory(merchant=membership.merchant, role=Role.VIEWER)
    client.force_login(membership.user)
    assert client.post(reverse("merchants:members"), NEW).status_code == 403
    url = reverse("merchants:member_role", args=[colleague.pk])
    assert client.post(url, {"role": "owner"}).status_code == 403
    colleague.refresh_from_db()
    assert colleague.role == Role.VIEWER
