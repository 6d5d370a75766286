"""Memberships in admin (who belongs to which merchant, with which role), on record."""

from __future__ import annotations

from django.contrib import admin

from merchants.accounts import admin as admin_beat  # noqa: F401  (Celery beat's task admin, its actions on record)
from merchants.models import (
    Membership,
)
from portal.common.admin import TrailAdmin


@admin.register(Membership)
class MembershipAdmin(TrailAdmin):
    list_display = ("user", "merchant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "merchant__legal_name", "merchant__mid")
    raw_id_fields = ("user", "merchant")
