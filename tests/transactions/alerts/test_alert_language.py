"""Alerts read in the reader's language: rule names and explanations go through the catalogue.

The stored English ``explanation`` stays as it is (search, e-mails). The zh-hans translations of
the rules' messages are added to the catalogue later, so the tests that need one put an entry in
the loaded catalogue for the test's duration (``zh_entry``); the others use messages that have
no entry on purpose, to prove the fallbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, trans_real

from tests.factories import MembershipFactory, StaffFactory
from tests.transactions.alert_factories import AlertFactory
from tests.transactions.audit.helpers import alert_of, audit, only_rule, plant, reporting_terminal
from transactions.alerts.findings import Finding
from transactions.audit.rules import REGISTRY
from transactions.audit.rules.mcc_jump import RULE as MCC_JUMP
from transactions.audit.runner import ensure_rules
from transactions.models import Alert, AuditRule

pytestmark = pytest.mark.django_db

MCC_MESSAGE = "MCC %(mcc)s on %(count)s transaction(s) on %(day)s, %(registered)s registered."
MCC_CHINESE = "%(day)s 有 %(count)s 笔交易的 MCC 为 %(mcc)s，登记的 MCC 为 %(registered)s。"
# No catalogue has (or should get) this one: it stands for a message not translated yet.
UNTRANSLATED = "Test only: %(count)s thing(s) seen on %(day)s."


@pytest.fixture(autouse=True)
def _rules() -> None:
    ensure_rules()  # the rows a migration makes; tests here run without migrations too


@pytest.fixture
def zh_entry(monkeypatch) -> Callable[[str, str], None]:
    """Put a msgid → msgstr pair in the loaded zh-hans catalogue until the test ends.

    Reaches into Django's loaded catalogue (``_catalog``): the only way to have a translation
    that is not in locale/ yet, without compiling a .mo file in the test.
    """
    catalogue = trans_real.translation("zh-hans")._catalog._catalogs[0]

    def add(msgid: str, msgstr: str) -> None:
        monkeypatch.setitem(catalogue, msgid, msgstr)

    return add


def _mcc_alert() -> Alert:
    only_rule("mcc_jump")
    terminal = reporting_terminal()
    plant(terminal, mcc="5812", received=timezone.now())
    audit()
    return alert_of("mcc_jump")


def _alert(message: str, params: dict[str, Any], explanation: str = "stored English") -> Alert:
    return AlertFactory(
        explanation=explanation, explanation_message=message, explanation_params=params
    )


# Findings


def test_a_finding_reads_its_message_in_english():
    finding = Finding(key="k", merchant_id=1, message="MCC %(mcc)s", params={"mcc": "5812"})
    assert finding.explanation == "MCC 5812"


def test_a_finding_keeps_its_values_as_text():
    finding = Finding(key="k", merchant_id=1, message="%(n)s", params={"n": 3})
    assert finding.params == {"n": "3"}


def test_a_finding_without_a_message_keeps_its_explanation():
    finding = Finding(key="k", merchant_id=1, explanation="late 3")
    assert (finding.explanation, finding.message, finding.params) == ("late 3", "", {})


# What a raised alert stores


def test_a_raised_alert_stores_the_message_and_its_values():
    alert = _mcc_alert()
    assert alert.explanation_message == MCC_MESSAGE
    assert alert.explanation_params["mcc"] == "5812"
    assert alert.explanation == MCC_MESSAGE % alert.explanation_params


def test_a_joined_alert_stores_the_values_that_count_all_its_reports():
    alert = _mcc_alert()
    plant(alert.terminal, mcc="5812", received=timezone.now())
    audit()
    alert.refresh_from_db()
    assert alert.explanation_params["count"] == "2"
    assert "on 2 transaction(s)" in alert.explanation


# Reading the explanation


def test_the_explanation_is_the_stored_english_in_english():
    alert = _mcc_alert()
    assert alert.get_explanation_display() == alert.explanation


def test_the_explanation_is_translated_through_the_catalogue(zh_entry):
    zh_entry(MCC_MESSAGE, MCC_CHINESE)
    alert = _mcc_alert()
    with translation.override("zh-hans"):
        shown = alert.get_explanation_display()
        assert shown == gettext(MCC_MESSAGE) % alert.explanation_params
    assert shown.startswith(alert.explanation_params["day"] + " 有 1 笔交易的 MCC 为 5812")


def test_an_untranslated_message_reads_in_english_with_its_values():
    alert = _alert(UNTRANSLATED, {"count": "2", "day": "2026-01-02"})
    with translation.override("zh-hans"):
        assert alert.get_explanation_display() == "Test only: 2 thing(s) seen on 2026-01-02."


def test_an_alert_without_a_message_shows_its_stored_explanation():
    alert = _alert("", {}, explanation="Raised before messages were kept.")
    with translation.override("zh-hans"):
        assert alert.get_explanation_display() == "Raised before messages were kept."


def test_a_translation_that_does_not_fit_the_values_falls_back_to_the_stored_english(zh_entry):
    zh_entry(UNTRANSLATED, "%(missing)s 件")
    alert = _alert(UNTRANSLATED, {"count": "2", "day": "2026-01-02"})
    with translation.override("zh-hans"):
        assert alert.get_explanation_display() == "stored English"


def test_values_that_do_not_fit_the_message_fall_back_to_the_stored_english():
    alert = _alert(UNTRANSLATED, {"count": "2"})
    assert alert.get_explanation_display() == "stored English"


# Rule names


def test_a_rule_is_labelled_with_its_english_name_in_english():
    rule = AuditRule.objects.get(code="mcc_jump")
    assert rule.label == MCC_JUMP.name == "MCC jumping (跳码)"
    assert str(rule) == rule.label


def test_a_rule_is_labelled_through_the_catalogue(zh_entry):
    zh_entry(MCC_JUMP.name, "跳码（MCC 不符）")
    rule = AuditRule.objects.get(code="mcc_jump")
    with translation.override("zh-hans"):
        assert rule.label == gettext(MCC_JUMP.name) == "跳码（MCC 不符）"
        assert str(rule) == "跳码（MCC 不符）"


def test_a_rule_without_a_module_is_labelled_with_its_stored_name():
    rule = AuditRule(code="retired_rule", name="Retired rule")
    with translation.override("zh-hans"):
        assert rule.label == "Retired rule"


def test_rule_names_are_stored_in_english_whatever_the_language(zh_entry):
    zh_entry(MCC_JUMP.name, "跳码（MCC 不符）")
    AuditRule.objects.filter(code="mcc_jump").delete()
    with translation.override("zh-hans"):
        ensure_rules()
    assert AuditRule.objects.get(code="mcc_jump").name == "MCC jumping (跳码)"


def test_every_rule_name_is_a_plain_string_msgid():
    assert all(type(spec.name) is str for spec in REGISTRY.values())


# Pages


@pytest.fixture
def chinese_merchant(client, zh_entry) -> Alert:
    """A merchant reading the portal in Chinese, with one MCC-jumping alert."""
    zh_entry(MCC_MESSAGE, MCC_CHINESE)
    zh_entry(MCC_JUMP.name, "跳码（MCC 不符）")
    alert = _mcc_alert()
    client.force_login(MembershipFactory(merchant=alert.merchant).user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    return alert


def test_the_merchants_alert_list_reads_in_chinese(client, chinese_merchant):
    html = client.get(reverse("transactions:alerts")).content.decode()
    assert "跳码（MCC 不符）" in html and "笔交易的 MCC 为 5812" in html
    assert chinese_merchant.explanation not in html


def test_the_merchants_alert_page_reads_in_chinese(client, chinese_merchant):
    url = reverse("transactions:alert_detail", args=[chinese_merchant.pk])
    html = client.get(url).content.decode()
    assert "跳码（MCC 不符）" in html and "笔交易的 MCC 为 5812" in html


def test_the_admin_alert_page_reads_in_the_reviewers_language(client, zh_entry):
    zh_entry(MCC_MESSAGE, MCC_CHINESE)
    alert = _mcc_alert()
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("admin:transactions_alert_change", args=[alert.pk])).content.decode()
    assert "笔交易的 MCC 为 5812" in html


def test_the_admin_rule_list_shows_the_translated_names(client, zh_entry):
    zh_entry(MCC_JUMP.name, "跳码（MCC 不符）")
    client.force_login(StaffFactory(groups=["compliance lead"]))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("admin:transactions_auditrule_changelist")).content.decode()
    assert "跳码（MCC 不符）" in html


def test_the_admin_alert_filter_shows_the_translated_rule_names(client, zh_entry):
    zh_entry(MCC_JUMP.name, "跳码（MCC 不符）")
    _mcc_alert()
    client.force_login(StaffFactory(groups=["compliance reviewer"]))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("admin:transactions_alert_changelist")).content.decode()
    assert "跳码（MCC 不符）" in html
