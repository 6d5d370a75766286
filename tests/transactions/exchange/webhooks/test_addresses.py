"""Which URLs an endpoint may have: https to public addresses, nothing else (SSRF)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import MerchantFactory
from tests.transactions.exchange.webhooks.helpers import owner_of
from transactions.exchange.webhooks.addresses import resolve, url_check
from transactions.exchange.webhooks.services import endpoint_create

PUBLIC = "https://93.184.216.34/hooks"


def _code(url: str) -> str:
    with pytest.raises(ValidationError) as caught:
        resolve(url)
    return caught.value.code


def test_a_public_https_address_is_accepted():
    target = resolve(PUBLIC)
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "93.184.216.34",
        443,
        "/hooks",
    )


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://93.184.216.34/hooks", "scheme"),
        ("ftp://93.184.216.34/hooks", "scheme"),
        ("https:///hooks", "no_host"),
        ("https://user:pass@93.184.216.34/hooks", "credentials"),
        ("https://token@93.184.216.34/hooks", "credentials"),
        ("https://93.184.216.34/hooks#frag", "fragment"),
        ("https://93.184.216.34:99999/", "invalid"),
    ],
)
def test_malformed_urls_are_refused(url, code):
    assert _code(url) == code


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata service
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",
        "[::1]",
        "[fe80::1]",
        "[fd00::1]",
        "[::ffff:127.0.0.1]",
        "localhost",
    ],
)
def test_hosts_reaching_inside_are_refused(host):
    assert _code(f"https://{host}/hooks") == "address"


def test_a_host_that_does_not_resolve_is_refused():
    assert _code("https://no-such-host.invalid/hooks") == "dns"


def test_debug_allows_http_and_loopback(settings):
    settings.DEBUG = True
    assert resolve("http://127.0.0.1:8000/hooks").address == "127.0.0.1"


def test_a_listed_test_host_may_use_http_and_loopback(settings):
    settings.WEBHOOK_ALLOWED_TEST_HOSTS = ["127.0.0.1"]
    assert resolve("http://127.0.0.1:9/hooks").port == 9
    with pytest.raises(ValidationError):
        url_check("http://10.0.0.1/hooks")


@pytest.mark.django_db
def test_registering_reports_each_field_error():
    merchant = MerchantFactory(approved=True)
    with pytest.raises(ValidationError) as caught:
        endpoint_create(
            merchant=merchant,
            url="https://169.254.169.254/latest",
            events=["no.such.event"],
            actor=owner_of(merchant),
        )
    errors = caught.value.message_dict
    assert "public addresses only" in errors["url"][0]
    assert "Unknown events" in errors["events"][0]


@pytest.mark.django_db
def test_registering_without_events_is_refused():
    merchant = MerchantFactory(approved=True)
    with pytest.raises(ValidationError) as caught:
        endpoint_create(merchant=merchant, url=PUBLIC, events=[], actor=owner_of(merchant))
    assert caught.value.message_dict == {"events": ["Choose at least one event."]}
