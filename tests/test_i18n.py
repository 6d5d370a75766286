"""The UI speaks Simplified Chinese and English, switchable on every page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_switching_to_chinese_translates_the_page(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get("/").content.decode()
    assert "商户注册" in page
    assert 'lang="zh-hans"' in page


def test_switching_back_to_english(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign up as a merchant" in client.get("/").content.decode()


def test_chinese_is_the_default_without_a_preference(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert "商户注册" in client.get("/").content.decode()


def test_validation_messages_are_translated(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    from tests.factories import MembershipFactory, MerchantFactory

    client.force_login(MembershipFactory(merchant=MerchantFactory()).user)
    response = client.post(reverse("merchants:application"), {"uscc": "91110000600037341X"})
    assert "请输入有效的统一社会信用代码" in response.content.decode()


def test_times_are_in_shanghai(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ
