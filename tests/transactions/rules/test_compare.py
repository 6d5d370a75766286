"""A rule's shadow findings beside its active ones, per day: overlap and each side's own."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.common.beijing import SHANGHAI
from tests.transactions.audit.helpers import audit, plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.rules.helpers import BIG_UNVERIFIED, live, make_rule, reviewer, rule_revise
from transactions.models import Alert
from transactions.rules.compare import shadow_beside_active

pytestmark = pytest.mark.django_db

WIDER = {
    **BIG_UNVERIFIED,
    "when": {
        "all": [
            {**BIG_UNVERIFIED["when"]["all"][0], "value": "3000"},
            BIG_UNVERIFIED["when"]["all"][1],
        ]
    },
}


@pytest.fixture
def rule():
    """v1 active (≥ ¥5,000), v2 in shadow (≥ ¥3,000), audited over a big and a middling sale."""
    rule = make_rule()
    live(rule)
    live(rule, "shadow", rule_revise(rule=rule, document=WIDER, reason="wider", actor=reviewer()))
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="6000.00", cvm="none")
    plant(terminal, at=shanghai(1, 11), amount="4000.00", cvm="none")
    audit()
    return rule


def test_the_comparison_counts_overlap_and_each_sides_own(rule):
    today = timezone.now().astimezone(SHANGHAI).date()
    compared = shadow_beside_active(rule=rule, first_day=today, last_day=today)
    [day] = compared.days
    assert (day.active, day.shadow) == (1, 2)
    assert (day.both_active, day.both_shadow, day.only_active, day.only_shadow) == (1, 1, 0, 1)
    assert compared.versions == {"active": [1], "shadow": [2]}
    [only] = compared.samples["only_shadow"]
    assert only.shadow and only.reports.get().amount == 4000


def test_days_without_alerts_of_the_rule_compare_empty(rule):
    day = shanghai(10, 0).date()
    assert shadow_beside_active(rule=rule, first_day=day, last_day=day).days == []


def test_the_compare_page_shows_the_table_and_links_to_samples(rule, client):
    client.force_login(reviewer())
    url = reverse("admin:transactions_rule_compare", args=[rule.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    only = Alert.objects.get(shadow=True, reports__amount=4000)
    assert reverse("admin:transactions_alert_change", args=[only.pk]) in html
    assert "<td>1</td><td>2</td><td>1</td><td>1</td><td>0</td><td>1</td>" in html


@pytest.mark.parametrize(
    "query",
    [
        {"first_day": "2026-03-02", "last_day": "2026-03-01"},
        {"first_day": "2020-01-01", "last_day": "2026-01-01"},
        {"first_day": "yesterday", "last_day": "2026-01-01"},
    ],
)
def test_a_bad_range_is_refused_with_a_field_error(rule, client, query):
    client.force_login(reviewer())
    response = client.get(reverse("admin:transactions_rule_compare", args=[rule.pk]), query)
    assert response.status_code == 400
    assert response.context["form"].errors
