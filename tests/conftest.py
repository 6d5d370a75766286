"""Test-wide setup: fast hashing, plain static files, uploads in a temporary folder."""

import os
from urllib.parse import urlsplit

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
    _redis_of_this_worker(settings)
    # A configured replica (.ci/run starts one) is read only by the tests that ask for it
    # (tests/portal/common/test_replicas.py); xdist workers and the servers the suite starts
    # inherit the switch, off (their replica alias names the primary's database, not the test's).
    settings.DATABASE_REPLICA_READS = False
    os.environ["DATABASE_REPLICA_READS"] = "false"
    # Tests change checks, thresholds and rules with plain ORM updates and screen at once: the
    # screening reads its configuration anew for every report (its keeping is tested on its own,
    # tests/transactions/decisions/test_config.py).
    settings.DECISIONS_CONFIG_SECONDS = 0
    os.environ["DECISIONS_CONFIG_SECONDS"] = "0"


def _redis_of_this_worker(settings) -> None:
    """Point the Redis cache and the screening state at this xdist worker's own, empty database.

    The workers share one Redis server: tests that clear the cache (``flushdb``) would otherwise
    wipe another worker's proof codes mid-test, and screening state written by an earlier run
    (whose ids this run's fresh test database reuses) would count towards this run's cards.
    gw0 → database 3, gw1 → 4, …; ``tests/transactions/decisions/test_state.py`` uses 9 and up.
    """
    if not settings.REDIS_URL:
        return
    import redis

    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    if worker > 5:
        raise pytest.UsageError("the suite gives each xdist worker a Redis database: at most -n 6")
    url = urlsplit(settings.REDIS_URL)._replace(path=f"/{3 + worker}").geturl()
    redis.Redis.from_url(url).flushdb()
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": url},
    }
    settings.DECISIONS_REDIS_URL = url


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
