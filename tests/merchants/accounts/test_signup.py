import pytest
from django.urls import reverse

from merchants.models import ApplicationStatus, Membership, Role

pytestmark = pytest.mark.django_db


def test_signup_creates_owner_of_a_draft_merchant_and_logs_in(client):
    response = client.post(
        reverse("merchants:signup"),
        {
            "username": "newshop",
            "email": "owner@newshop.cn",
            "password1": "Str0ng-pass-2026",
            "password2": "Str0ng-pass-2026",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="newshop")
    assert membership.role == Role.OWNER
    assert membership.merchant.status == ApplicationStatus.DRAFT
    assert client.get(reverse("merchants:overview")).status_code == 200


def test_signup_with_mismatched_passwords_shows_a_form_error(client):
    response = client.post(
        reverse("merchants:signup"),
        {
            "username": "newshop",
            "email": "owner@newshop.cn",
            "password1": "Str0ng-pass-2026",
            "password2": "other-pass-2026",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not Membership.objects.exists()


def test_merchant_pages_need_a_login(client):
    response = client.get(reverse("merchants:overview"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
