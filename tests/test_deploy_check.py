"""``manage.py check --deploy`` is clean with production settings, and says so when it is not."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "p9Xw2" + "".join(chr(65 + (i * 7) % 26) + str(i % 10) for i in range(40)),
    "ALLOWED_HOSTS": "portal.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "BLIND_INDEX_KEY": "k3y" + "".join(chr(97 + (i * 5) % 26) for i in range(40)),
}
# Set by the test run itself (tests/conftest.py); never in a deployment.
NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", *PRODUCTION}


def _check_deploy(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(PRODUCTION)
    for name, value in overrides.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = _check_deploy()
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_own_encryption_keys():
    result = _check_deploy(FIELD_ENCRYPTION_KEYS=None)
    assert result.returncode != 0
    assert "merchants.W001" in result.stderr


def test_check_deploy_warns_without_own_blind_index_key():
    result = _check_deploy(BLIND_INDEX_KEY=None)
    assert result.returncode != 0
    assert "merchants.W002" in result.stderr


def test_check_deploy_refuses_the_embedded_secret_key():
    result = _check_deploy(SECRET_KEY=None)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_check_deploy_refuses_debug():
    result = _check_deploy(DEBUG="true")
    assert result.returncode != 0
    assert "security.W018" in result.stderr


def _production_settings(*names: str, **overrides) -> dict:
    """The values production settings give ``names`` (read in a fresh process, like a deployment)."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(PRODUCTION)
    env.update({k: v for k, v in overrides.items() if v is not None})
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
    script = (
        "import json, django; from django.conf import settings; django.setup();"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_is_https_only_by_default():
    values = _production_settings(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        SECURE_SSL_REDIRECT=None,
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_defaults_pass_check_deploy_without_extra_variables():
    result = _check_deploy(SECURE_SSL_REDIRECT=None)
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_warns_when_https_redirect_is_turned_off():
    result = _check_deploy(SECURE_SSL_REDIRECT="false")
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_check_deploy_warns_without_hsts():
    result = _check_deploy(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_development_trusts_no_forwarded_proto_header():
    values = _production_settings(
        "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", DEBUG="true", SECURE_SSL_REDIRECT=None
    )
    assert values == {"SECURE_PROXY_SSL_HEADER": None, "SECURE_SSL_REDIRECT": False}
