"""Deployment checks of our own, run by ``manage.py check --deploy``."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_field_encryption_keys(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "FIELD_ENCRYPTION_KEYS_FROM_ENV", False):
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: bank accounts and terminal secrets are encrypted "
            "with a key derived from SECRET_KEY.",
            hint="Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys (newest first).",
            id="merchants.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_blind_index_key(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "BLIND_INDEX_KEY_FROM_ENV", False):
        return []
    return [
        Warning(
            "BLIND_INDEX_KEY is not set: ID numbers are hashed with a key derived from SECRET_KEY, "
            "so rotating SECRET_KEY would break matching them against the risk list.",
            hint="Set BLIND_INDEX_KEY to a long random value, and keep it.",
            id="merchants.W002",
        )
    ]
