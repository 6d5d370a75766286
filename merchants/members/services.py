"""A merchant's users: the owner adds colleagues, changes their roles, removes them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from merchants.models import Membership, Merchant, Role

User = get_user_model()


def _require_owner(merchant: Merchant, actor: Any) -> None:
    if not Membership.objects.filter(user=actor, merchant=merchant, role=Role.OWNER).exists():
        raise PermissionDenied("Only the merchant's owner can manage its users.")


@transaction.atomic
def member_add(
    *, merchant: Merchant, actor: Any, username: str, email: str, password: str, role: str
) -> Membership:
    """Create a portal user for ``merchant`` with ``role``."""
    _require_owner(merchant, actor)
    user = User.objects.create_user(username=username, email=email, password=password)
    return Membership.objects.create(user=user, merchant=merchant, role=role)


@transaction.atomic
def member_set_role(*, membership: Membership, actor: Any, role: str) -> Membership:
    _require_owner(membership.merchant, actor)
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_one_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, actor: Any) -> None:
    """Remove a colleague: the user loses access (deactivated), its trail stays."""
    _require_owner(membership.merchant, actor)
    if membership.role == Role.OWNER:
        _keep_one_owner(membership)
    user = membership.user
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])


def _keep_one_owner(membership: Membership) -> None:
    others = Membership.objects.filter(merchant=membership.merchant, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ValidationError("A merchant keeps at least one owner.", code="last_owner")
