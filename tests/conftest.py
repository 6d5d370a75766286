"""Test-wide setup: fast hashing, plain static files, uploads in a temporary folder."""

import os

import pytest
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously there, which is safe for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # Tasks run in-process unless a test starts a real worker (tests/.../test_celery_*).
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.WHITENOISE_AUTOREFRESH = True
    # No full card number may reach the database or the logs (tests/reliability/pan_scan.py).
    from tests.reliability.pan_scan import PanScanPlugin

    config.pluginmanager.register(PanScanPlugin(), "pan_scan")
    # The test client and the live server speak plain HTTP.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read English messages; the zh-hans UI is tested in the browser tests.
    settings.LANGUAGE_CODE = "en"


class SecondFactorClient(Client):
    """The suite's ``client``: ``force_login(staff)`` also passes the staff user's second factor.

    Staff cannot use admin until their session is OTP-verified; most tests are about something
    else, so this gives them a backup-code device and marks the session verified with it (the
    django-otp session key), as the code step would. The 2FA tests themselves go through the real
    pages (tests/test_security_otp.py); ``force_login(user, second_factor=False)`` stops short.
    """

    def force_login(self, user, backend=None, *, second_factor: bool = True):
        super().force_login(user, backend)
        if second_factor and user.is_staff:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_static.models import StaticDevice

            device, _created = StaticDevice.objects.get_or_create(user=user, name="test codes")
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> Client:
    return SecondFactorClient()
