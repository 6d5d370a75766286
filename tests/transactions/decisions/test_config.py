"""The screening's configuration is kept a few seconds per process and dropped when it changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from merchants.models import RiskLevel, RiskLevelPolicy
from transactions.decisions import config
from transactions.decisions.config import screening_config, screening_config_drop
from transactions.models import ScreeningCheck

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.DECISIONS_CONFIG_SECONDS = 5
    screening_config_drop()
    yield
    screening_config_drop()


def test_kept_config_is_read_once(kept):
    first = screening_config()
    with CaptureQueriesContext(connection) as queries:
        again = screening_config()
    assert again is first and len(queries) == 0


def test_zero_seconds_reads_every_time(settings):
    settings.DECISIONS_CONFIG_SECONDS = 0
    assert screening_config() is not screening_config()


def test_it_is_read_again_after_the_seconds(kept, monkeypatch):
    first = screening_config()
    later = first.loaded_at + 6
    monkeypatch.setattr(config.time, "monotonic", lambda: later)
    assert screening_config() is not first


def test_saving_a_check_drops_the_copy_at_once(kept):
    before = {c.code: c.shadow for c in screening_config().checks}
    check = ScreeningCheck.objects.get(code="card_velocity")
    check.shadow = not check.shadow
    check.save()
    after = {c.code: c.shadow for c in screening_config().checks}
    assert after["card_velocity"] is not before["card_velocity"]


def test_saving_a_level_policy_drops_the_copy(kept):
    screening_config()
    RiskLevelPolicy.objects.update_or_create(
        level=RiskLevel.HIGH, defaults={"min_score": 60, "daily_limit": "1234.00"}
    )
    assert str(screening_config().limits[RiskLevel.HIGH].daily) == "1234.00"
