"""SECRET_KEY: a development default only with DEBUG on (DESIGN §9)."""

import os
import subprocess
import sys


def load_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"],
        capture_output=True, text=True, env=environment,
    )


def test_refuses_to_start_without_key_when_debug_off():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_refuses_the_known_development_key_when_debug_off():
    result = load_settings(DEBUG="false", SECRET_KEY="dev-only-insecure-key-do-not-use-in-production")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_starts_with_a_real_key():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode == 0 and result.stdout.strip() == "False"


def test_deploy_check_passes_under_production_settings_with_warnings_as_failures():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; a deployment never has it.
    harness = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in harness}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY="k" * 20 + "Zq9-" * 10)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=environment,
    )
    assert result.returncode == 0, result.stderr
