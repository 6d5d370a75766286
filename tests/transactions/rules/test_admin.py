"""The rule studio in admin: reviewers write and backtest, leads put versions live, lists upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.transactions.audit.helpers import audit, plant, shanghai
from tests.transactions.helpers import reporting_terminal
from tests.transactions.rules.helpers import (
    BIG_UNVERIFIED,
    builder_post,
    lead,
    live,
    make_rule,
    reviewer,
)
from transactions.models import Alert, Backtest, Rule, RuleList, RuleVersion

pytestmark = pytest.mark.django_db

RULES = reverse("admin:transactions_rule_changelist")
ADD = reverse("admin:transactions_rule_add")
VERSIONS = reverse("admin:transactions_ruleversion_changelist")


def form(document, **extra):
    return builder_post(document, **extra)


def test_a_reviewer_writes_a_rule_in_admin(client):
    client.force_login(reviewer())
    response = client.post(ADD, form(BIG_UNVERIFIED))
    assert response.status_code == 302, response.content.decode()[:2000]
    version = Rule.objects.get(code="big").versions.get()
    assert version.status == "draft" and version.reason == "new scheme"


def test_a_document_that_cannot_compile_comes_back_with_its_paths(client):
    client.force_login(reviewer())
    broken = {
        **BIG_UNVERIFIED,
        "when": {"aggregate": "count", "per": "card", "op": "gte", "value": 1},
    }
    response = client.post(ADD, form(broken))
    assert response.status_code == 200
    page = response.content.decode()
    assert "period: An aggregate needs a time window" in page
    assert not Rule.objects.exists()


def test_editing_a_rule_writes_a_new_version(client):
    rule = make_rule()
    client.force_login(reviewer())
    changed = {**rule.versions.get().document, "severity": "low"}
    url = reverse("admin:transactions_rule_change", args=[rule.pk])
    response = client.post(url, form(changed, code=rule.code, name=rule.name, reason="calmer"))
    assert response.status_code == 302
    latest = rule.versions.get(number=2)
    assert latest.diff == [{"path": "$.severity", "before": '"high"', "after": '"low"'}]
    page = client.get(reverse("admin:transactions_ruleversion_change", args=[latest.pk]))
    assert "$.severity" in page.content.decode()


def test_only_a_lead_sees_and_takes_the_go_live_actions(client):
    version = make_rule().versions.get()
    client.force_login(reviewer())
    assert (
        "activate"
        not in client.get(VERSIONS).context["action_form"].fields["action"].choices.__str__()
    )
    client.force_login(lead())
    response = client.post(
        VERSIONS,
        {"action": "activate", "_selected_action": [version.pk], "apply": "1", "reason": "ready"},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "active"


def test_a_reviewer_backtests_a_version_from_admin(client, django_capture_on_commit_callbacks):
    version = make_rule().versions.get()
    client.force_login(reviewer())
    day = shanghai(1, 0).date().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            VERSIONS,
            {
                "action": "backtest",
                "_selected_action": [version.pk],
                "apply": "1",
                "first_day": day,
                "last_day": day,
            },
        )
    assert response.status_code == 302
    backtest = Backtest.objects.get()
    assert backtest.status == "done"
    page = client.get(reverse("admin:transactions_backtest_change", args=[backtest.pk]))
    assert page.status_code == 200


def test_a_list_upload_reports_bad_rows_by_line(client):
    rule_list = RuleList.objects.create(code="tids", name="TIDs", kind="tid", purpose="block")
    client.force_login(lead())
    url = reverse("admin:transactions_rulelist_upload", args=[rule_list.pk])
    upload = SimpleUploadedFile("tids.csv", b"value,note\nA1B2C3D4,x\nnope,y\n", "text/csv")
    response = client.post(url, {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "1 entries added" in page
    assert "<td>3</td>" in page
    assert rule_list.entries.count() == 1


def test_a_reviewer_cannot_upload_to_a_list(client):
    rule_list = RuleList.objects.create(code="tids", name="TIDs", kind="tid", purpose="block")
    client.force_login(reviewer())
    response = client.get(reverse("admin:transactions_rulelist_upload", args=[rule_list.pk]))
    assert response.status_code == 403


def test_the_alert_page_shows_the_version_and_why_it_fired(client):
    terminal = reporting_terminal()
    plant(terminal, at=shanghai(1, 10), amount="6000.00", cvm="none")
    version = live(make_rule())
    audit()
    alert = Alert.objects.get(rule_version=version)
    client.force_login(lead())
    page = client.get(reverse("admin:transactions_alert_change", args=[alert.pk])).content.decode()
    assert "Rule big_unverified, version 1." in page
    assert "6000.00" in page and "$.when.all[0]" in page


def test_shadow_alerts_are_out_of_the_alert_list_unless_asked_for(client):
    plant(reporting_terminal(), at=shanghai(1, 10), amount="6000.00", cvm="none")
    live(make_rule(), "shadow")
    audit()
    shadow = Alert.objects.get(shadow=True)
    client.force_login(lead())
    listed = client.get(reverse("admin:transactions_alert_changelist")).context["cl"].result_list
    assert shadow not in listed
    asked = client.get(reverse("admin:transactions_alert_changelist") + "?shadow=shadow")
    assert list(asked.context["cl"].result_list) == [shadow]


def test_the_studio_pages_read_in_chinese(client):
    version = make_rule().versions.get()
    client.force_login(lead())
    page = client.get(
        reverse("admin:transactions_ruleversion_change", args=[version.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "规则文档" in page
    assert RuleVersion.objects.count() == 1
