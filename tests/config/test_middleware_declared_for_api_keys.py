"""Every entry of MIDDLEWARE says whether calls authenticated by an API key keep or skip it
(settings.MIDDLEWARE_FOR_API_KEYS / MIDDLEWARE_SKIPPED_FOR_API_KEYS), checked by config.checks."""

from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from config.checks import middleware_declared_for_api_keys

NEW = "example.middleware.NewMiddleware"


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_the_shipped_settings_declare_every_middleware():
    assert middleware_declared_for_api_keys() == []
    assert not [message for message in run_checks() if message.id.startswith("config.")]


def test_a_middleware_in_neither_list_fails_the_check():
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, NEW]):
        errors = middleware_declared_for_api_keys()
        assert ids(errors) == ["config.E001"] and NEW in errors[0].msg
        assert "config.E001" in ids(run_checks())


def test_a_middleware_in_both_lists_fails_the_check():
    with override_settings(
        MIDDLEWARE=[*settings.MIDDLEWARE, NEW],
        MIDDLEWARE_FOR_API_KEYS=[*settings.MIDDLEWARE_FOR_API_KEYS, NEW],
        MIDDLEWARE_SKIPPED_FOR_API_KEYS=[*settings.MIDDLEWARE_SKIPPED_FOR_API_KEYS, NEW],
    ):
        errors = middleware_declared_for_api_keys()
        assert ids(errors) == ["config.E002"] and NEW in errors[0].msg


def test_a_declared_middleware_passes_the_check():
    with override_settings(
        MIDDLEWARE=[*settings.MIDDLEWARE, NEW],
        MIDDLEWARE_SKIPPED_FOR_API_KEYS=[*settings.MIDDLEWARE_SKIPPED_FOR_API_KEYS, NEW],
    ):
        assert middleware_declared_for_api_keys() == []


def test_the_lists_hold_only_middleware_of_the_setting():
    assert set(settings.MIDDLEWARE) == set(settings.MIDDLEWARE_FOR_API_KEYS) | set(settings.MIDDLEWARE_SKIPPED_FOR_API_KEYS)
