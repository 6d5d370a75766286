"""Audit trail for models kept in other apps: Celery beat's schedules, accounts and their devices.

Their history tables live in this app (``simple_history.register(..., app="merchants")``): the
models are django-celery-beat's, Django's and django-otp's, so the trail of who changed a
schedule, a staff account, a group's permissions or a second-factor device, when and to what, has
to be kept somewhere of ours. Secrets are never copied into a trail: not the password hash, not
the authenticator key; backup codes live in their own table, which has no history.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history import register
from simple_history.models import HistoricalRecords


class ChangesOnlyHistoricalRecords(HistoricalRecords):
    """Records a save only if a tracked field changed.

    Celery beat saves each periodic task after every run (its run counters), Django saves a user
    at each login (``last_login``) and django-otp a device at each code (its counters):
    bookkeeping, not a change anyone made, and it would bury the real changes under a row each.
    """

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        if not created and not kwargs.get("raw", False) and self._unchanged(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance: Any) -> bool:
        last = getattr(instance, self.manager_name).order_by("-history_date", "-history_id").first()
        if last is None:
            return False
        return all(
            getattr(last, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
        )


class BothSidesHistoricalRecords(HistoricalRecords):
    """Records a many-to-many change from either side: ``user.groups.add(group)`` and
    ``group.user_set.add(user)`` both add a version of the user.

    django-simple-history records the forward side only; from the other side the signal's
    instance is the group, and the users changed are the ones it names (for a clear, the ones
    it had just before).
    """

    def m2m_changed(
        self, instance: Any, action: str, attr: str, pk_set: Any, reverse: bool, **kwargs: Any
    ) -> None:
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        if action == "pre_clear":
            instance._history_cleared_pks = list(
                self.cls._default_manager.filter(**{attr: instance}).values_list("pk", flat=True)
            )
            return
        if action == "post_clear":
            pk_set = instance.__dict__.pop("_history_cleared_pks", ())
        for changed in self.cls._default_manager.filter(pk__in=pk_set or ()):
            super().m2m_changed(changed, action, attr, pk_set, False, **kwargs)


class AccountHistoricalRecords(BothSidesHistoricalRecords, ChangesOnlyHistoricalRecords):
    """A user's trail: a new password is recorded as a change (without the hash), a login is not.

    ``set_password()`` leaves the raw password on the instance until the save is done, which is
    how a password change shows although the hash is not kept.
    """

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        if not created and _password_changed(instance):
            HistoricalRecords.post_save(self, instance, created, using=using, **kwargs)
            return
        super().post_save(instance, created, using=using, **kwargs)

    def get_change_reason_for_object(self, instance: Any, history_type: str, using: Any) -> Any:
        if history_type == "~" and _password_changed(instance):
            return "password changed"
        return super().get_change_reason_for_object(instance, history_type, using)


def _password_changed(user: Any) -> bool:
    return getattr(user, "_password", None) is not None


class DeviceHistoricalRecords(ChangesOnlyHistoricalRecords):
    """A second-factor device's trail: who added, confirmed, re-keyed or renewed it, and when.

    Its secret is never copied (``secret_field`` is excluded), yet a new secret is a change worth
    a row: the value the device was loaded with is kept on the instance (``post_init``), and a
    save that replaces it is recorded as "key changed". A save that carries an explicit
    ``_change_reason`` is a deliberate act and recorded too, though no tracked field changed:
    renewing backup codes changes only the codes' own table, which keeps no history (the codes
    are the secret).
    """

    def __init__(self, *args: Any, secret_field: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.secret_field = secret_field

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if self.secret_field and sender is self.cls:
            models.signals.post_init.connect(self._remember_secret, sender=sender, weak=False)

    def _remember_secret(self, instance: Any, **kwargs: Any) -> None:
        instance._history_secret = instance.__dict__.get(self.secret_field)

    def _secret_changed(self, instance: Any) -> bool:
        if not self.secret_field or self.secret_field not in instance.__dict__:
            return False
        return getattr(instance, "_history_secret", None) != instance.__dict__[self.secret_field]

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        deliberate = bool(getattr(instance, "_change_reason", None))
        if not created and (deliberate or self._secret_changed(instance)):
            HistoricalRecords.post_save(self, instance, created, using=using, **kwargs)
        else:
            super().post_save(instance, created, using=using, **kwargs)
        self._remember_secret(instance)
        instance.__dict__.pop("_change_reason", None)  # said once: the next save says its own

    def get_change_reason_for_object(self, instance: Any, history_type: str, using: Any) -> Any:
        reason = super().get_change_reason_for_object(instance, history_type, using)
        if not reason and history_type == "~" and self._secret_changed(instance):
            return "key changed"
        return reason


_BEAT_BOOKKEEPING = ["last_run_at", "total_run_count", "date_changed"]
# Verification counters and the secrets themselves (the TOTP key) stay out of the trail.
_DEVICE_BOOKKEEPING = ["throttling_failure_timestamp", "throttling_failure_count", "last_used_at"]

if not hasattr(PeriodicTask, "history"):  # register once, however often this module is imported
    register(
        PeriodicTask,
        app="merchants",
        records_class=ChangesOnlyHistoricalRecords,
        excluded_fields=_BEAT_BOOKKEEPING,
    )
    register(CrontabSchedule, app="merchants")
    register(IntervalSchedule, app="merchants")
    register(ClockedSchedule, app="merchants")
    register(SolarSchedule, app="merchants")
    register(
        get_user_model(),
        app="merchants",
        records_class=AccountHistoricalRecords,
        excluded_fields=["password", "last_login"],
        m2m_fields=["groups", "user_permissions"],
    )
    register(
        Group,
        app="merchants",
        records_class=BothSidesHistoricalRecords,
        m2m_fields=["permissions"],
    )
    register(
        TOTPDevice,
        app="merchants",
        records_class=DeviceHistoricalRecords,
        secret_field="key",
        excluded_fields=["key", "drift", "last_t", *_DEVICE_BOOKKEEPING],
    )
    register(
        StaticDevice,
        app="merchants",
        records_class=DeviceHistoricalRecords,
        excluded_fields=_DEVICE_BOOKKEEPING,
    )
