"""CSRF: every page refuses a POST without the token (403); the signed terminal API needs none.

The refusal holds for a signed-in, verified user too; the terminal API is signed with HMAC and
blind to sessions, so a browser's cookies open nothing there.

The suite's ``client`` skips the check, as Django's test client does; these tests turn it on.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from merchants.models import ReportingSettings, Role
from tests.conftest import SecondFactorClient
from tests.factories import MembershipFactory, UserFactory
from tests.reliability.scoreboard import record
from tests.transactions.helpers import TerminalAPI, report, reporting_terminal
from transactions.models import Report

pytestmark = pytest.mark.django_db

# Not forms: the signed terminal API and the API's schema and doc pages, static bits.
NOT_FORMS = ("api/", "healthz", "favicon.ico")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and not entry.pattern.regex.groupindex:
            yield route


def pages_without_ids() -> list[str]:
    """Every page that takes no argument (admin lists and add pages included), as a path."""
    routes = {
        "/" + route.lstrip("^").rstrip("$").replace("\\Z", "")
        for route in _routes(get_resolver().url_patterns)
    }
    return sorted(path for path in routes if not path[1:].startswith(NOT_FORMS))


def _csrf_client(user: Any = None) -> SecondFactorClient:
    client = SecondFactorClient(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def owner():
    return MembershipFactory(merchant=reporting_terminal().merchant, role=Role.OWNER)


def test_every_page_refuses_a_post_without_the_token():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=superuser)  # so the merchant pages open for it too
    client = _csrf_client(superuser)
    paths = pages_without_ids()
    assert {"/merchant/reporting/", "/admin/auth/user/add/", "/accounts/logout/"} <= set(paths)
    answers = {path: client.post(path, {"anything": "1"}).status_code for path in paths}
    assert {path: status for path, status in answers.items() if status != 403} == {}
    anonymous = _csrf_client()
    assert anonymous.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403
    record(
        "auth",
        "CSRF: POSTs without the token refused",
        len(paths) + 1,
        note="every page without an id (portal, accounts, admin), signed in; and the login",
    )


def test_a_merchant_form_without_the_token_changes_nothing(owner):
    client = _csrf_client(owner.user)
    settings_before = ReportingSettings.objects.get(merchant=owner.merchant).deadline_hours
    response = client.post(
        reverse("merchants:reporting_settings"),
        {"enabled": "on", "method": "file", "frequency": "daily", "deadline_hours": "3"},
    )
    assert response.status_code == 403
    current = ReportingSettings.objects.get(merchant=owner.merchant).deadline_hours
    assert current == settings_before != 3


def test_the_same_form_with_the_token_goes_through(owner):
    """The refusal above is the token's: the page's own token lets the same POST in."""
    client = _csrf_client(owner.user)
    page = client.get(reverse("merchants:reporting_settings"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("merchants:reporting_settings"),
        {
            "enabled": "on",
            "method": "file",
            "frequency": "daily",
            "deadline_hours": "3",
            "csrfmiddlewaretoken": str(token),
        },
    )
    assert response.status_code == 302
    assert ReportingSettings.objects.get(merchant=owner.merchant).deadline_hours == 3


def test_an_admin_change_without_the_token_is_refused():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = _csrf_client(superuser)
    response = client.post(reverse("admin:auth_group_add"), {"name": "smuggled"})
    assert response.status_code == 403
    assert not Group.objects.filter(name="smuggled").exists()


def test_the_signed_terminal_api_needs_no_token():
    terminal = TerminalAPI(_csrf_client())
    response = terminal.post(reverse("terminal-report-create"), report(terminal.terminal))
    assert response.status_code == 201, response.content
    assert Report.objects.filter(terminal=terminal.terminal).count() == 1


def test_a_browser_session_does_not_open_the_terminal_api(owner):
    """Why the API may skip CSRF: a cookie alone never authenticates there."""
    client = _csrf_client(owner.user)
    response = client.post(
        reverse("terminal-report-create"), {"amount": "1.00"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Report.objects.exists()


def test_cookies_are_http_only_same_site_secure_and_end_with_the_browser(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True  # production's values
    client = _csrf_client()
    page = client.get(reverse("login"))
    user = UserFactory()
    client.post(
        reverse("login"),
        {
            "username": user.username,
            "password": "pass-word-123",
            "csrfmiddlewaretoken": str(page.context["csrf_token"]),
        },
    )
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["httponly"], name
        assert cookie["secure"], name
        assert cookie["samesite"] == "Lax", name
    # No expiry on the session cookie: the browser drops it when it closes.
    assert not client.cookies["sessionid"]["expires"]
    assert not client.cookies["sessionid"]["max-age"]
