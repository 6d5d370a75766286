"""Reads of memberships: which merchant a user acts for."""

from __future__ import annotations

from typing import Any

from merchants.models import (
    Membership,
)


def membership_for_user(user: Any) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.select_related("merchant").filter(user=user).first()
