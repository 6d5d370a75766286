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


def test_check_deploy_refuses_the_embedded_secret_key():
    result = _check_deploy(SECRET_KEY=None)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_check_deploy_refuses_debug():
    result = _check_deploy(DEBUG="true")
    assert result.returncode != 0
    assert "security.W018" in result.stderr
