"""Security headers and cookies: CSP without inline scripts, framing denied, cookies out of scripts' reach."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_forbid_inline_scripts_and_off_site_content():
    csp = _csp(Client().get("/accounts/login/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_admin_pages_carry_the_same_policy():
    csp = _csp(Client().get("/admin/login/"))
    assert csp["script-src"] == ["'self'"]


def test_api_doc_pages_relax_styles_but_not_scripts():
    client = Client()
    client.force_login(UserFactory())
    for path in ("/api/docs/", "/api/redoc/"):
        csp = _csp(client.get(path))
        assert "'unsafe-inline'" in csp["style-src"], path
        assert csp["script-src"] == ["'self'"], path


def test_swagger_start_up_script_is_a_separate_request():
    client = Client()
    client.force_login(UserFactory())
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")


def test_framing_sniffing_referrer_and_opener_headers():
    response = Client().get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_in_production(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_plain_http_is_redirected_to_https_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_session_and_csrf_cookies_are_http_only():
    client = Client()
    client.get("/accounts/login/")
    assert client.cookies["csrftoken"]["httponly"]
    user = UserFactory()
    client.post("/accounts/login/", {"username": user.username, "password": "pass-word-123"})
    assert client.cookies["sessionid"]["httponly"]


def test_sessions_last_a_working_day_and_end_with_the_browser(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_have_no_inline_scripts_or_handlers(template):
    text = template.read_text()
    assert not INLINE_HANDLER.search(text), "inline event handler"
    # json_script's <script type="application/json"> is data, not code.
    scripts = [s for s in INLINE_SCRIPT.findall(text) if "application/json" not in s]
    assert not scripts, "inline <script>"
    assert not JS_URL.search(text), "javascript: URL"
