"""``risk_level.changed``: a webhook subscribed to it gets one outbox row per change of the level
in force (a rating, an override set, ended or expired), none when the level stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from merchants.models import HighRiskMcc, Merchant, MerchantRisk
from merchants.risk.rating.services import rate_merchants, risk_override, risk_override_clear
from portal.common import events
from tests.factories import MerchantFactory, StaffFactory
from tests.merchants.risk.rating.helpers import rate
from tests.transactions.exchange.webhooks.conftest import receiver  # noqa: F401  (fixture)
from tests.transactions.exchange.webhooks.helpers import registered
from transactions.exchange.webhooks.services import endpoint_create
from transactions.models import WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=800)


@pytest.fixture
def merchant():
    return MerchantFactory(approved=True, approved_at=OLD, mcc="5411")


@pytest.fixture
def endpoint(receiver, merchant):  # noqa: F811
    endpoint, _secret = registered(
        receiver, merchant=merchant, event_types=[events.RISK_LEVEL_CHANGED]
    )
    return endpoint


def _sent(endpoint) -> list[dict]:
    rows = WebhookDelivery.objects.filter(
        endpoint=endpoint, event__event_type=events.RISK_LEVEL_CHANGED
    ).order_by("pk")
    return [row.event.data for row in rows.select_related("event")]


def _lead():
    return StaffFactory(groups=["compliance lead"])


def test_the_first_rating_is_sent_and_a_rating_that_keeps_the_level_is_not(merchant, endpoint):
    rate(merchant)
    rate(merchant)
    [data] = _sent(endpoint)
    assert data["merchant_id"] == merchant.pk and data["mid"] == merchant.mid
    assert (data["from_level"], data["to_level"], data["cause"], data["trigger"]) == (
        None,
        "low",
        "rating",
        "test",
    )
    assert data["at"]


def test_a_new_level_is_sent_once(merchant, endpoint):
    rate(merchant)
    HighRiskMcc.objects.create(mcc="5411", category="test", points=65)
    rate(merchant)
    rate(merchant)
    data = _sent(endpoint)
    assert [(d["from_level"], d["to_level"]) for d in data] == [(None, "low"), ("low", "high")]


def test_an_override_and_its_early_end_are_sent(merchant, endpoint):
    rate(merchant)
    lead = _lead()
    risk_override(
        merchant=merchant,
        actor=lead,
        level="prohibited",
        reason="Police notice.",
        expires_at=timezone.now() + timedelta(days=30),
    )
    risk_override_clear(merchant=merchant, actor=lead, reason="Cleared by the police.")
    data = _sent(endpoint)[1:]
    assert [(d["from_level"], d["to_level"], d["cause"]) for d in data] == [
        ("low", "prohibited", "override"),
        ("prohibited", "low", "override_cleared"),
    ]
    assert "Police" not in str(data)  # the lead's reason stays inside


def test_an_override_at_the_level_in_force_sends_nothing(merchant, endpoint):
    rate(merchant)
    risk_override(
        merchant=merchant,
        actor=_lead(),
        level="low",
        reason="Keep it low.",
        expires_at=timezone.now() + timedelta(days=30),
    )
    assert len(_sent(endpoint)) == 1


def test_an_expired_override_is_sent_when_the_rating_clears_it(merchant, endpoint):
    rate(merchant)
    risk_override(
        merchant=merchant,
        actor=_lead(),
        level="high",
        reason="For a week.",
        expires_at=timezone.now() + timedelta(days=7),
    )
    rate(merchant, now=timezone.now() + timedelta(days=8))
    last = _sent(endpoint)[-1]
    assert (last["from_level"], last["to_level"], last["cause"]) == (
        "high",
        "low",
        "override_expired",
    )


def test_a_rating_from_admin_names_no_staff_member(merchant, endpoint):
    rate_merchants(merchants=Merchant.objects.filter(pk=merchant.pk), trigger="admin:lead.wang")
    assert _sent(endpoint)[0]["trigger"] == "admin"


def test_a_night_of_many_merchants_sends_one_row_per_change_to_whom_it_concerns(
    receiver,  # noqa: F811
    merchant,
    endpoint,
):
    others = [MerchantFactory(approved=True, approved_at=OLD) for _ in range(3)]
    acquirer, _secret = endpoint_create(
        merchant=None,
        url=receiver.url,
        events=[events.RISK_LEVEL_CHANGED],
        actor=StaffFactory(is_superuser=True),
    )
    rate_merchants(trigger="nightly")
    rate_merchants(trigger="nightly")
    assert len(_sent(endpoint)) == 1  # its own merchant's change only
    assert sorted(d["merchant_id"] for d in _sent(acquirer)) == sorted(
        [merchant.pk, *(o.pk for o in others)]
    )


def test_nothing_is_written_when_nobody_listens(merchant):
    rate(merchant)
    assert MerchantRisk.objects.filter(merchant=merchant).exists()
    assert not WebhookEvent.objects.exists()
    assert not events.event_wanted(events.RISK_LEVEL_CHANGED)


def test_an_endpoint_not_subscribed_to_it_gets_nothing(receiver, merchant):  # noqa: F811
    registered(receiver, merchant=merchant, event_types=[events.ALERT_OPENED])
    rate(merchant)
    assert not WebhookEvent.objects.filter(event_type=events.RISK_LEVEL_CHANGED).exists()
