"""System checks for the project's own settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def middleware_declared_for_api_keys(app_configs=None, **kwargs) -> list[Error]:
    """Every entry of MIDDLEWARE is either kept or skipped for key-authenticated calls, never both.

    config.handlers builds the key-authenticated chain from MIDDLEWARE_FOR_API_KEYS: a middleware
    added to MIDDLEWARE alone would otherwise be skipped silently for every call made with an API key.
    """
    kept = set(settings.MIDDLEWARE_FOR_API_KEYS)
    skipped = set(settings.MIDDLEWARE_SKIPPED_FOR_API_KEYS)
    errors = []
    for path in settings.MIDDLEWARE:
        if path not in kept and path not in skipped:
            errors.append(Error(
                f"{path} is in MIDDLEWARE but in neither MIDDLEWARE_FOR_API_KEYS nor MIDDLEWARE_SKIPPED_FOR_API_KEYS.",
                hint="Add it to one of them, with a line saying why calls authenticated by an API key keep or skip it.",
                id="config.E001",
            ))
        elif path in kept and path in skipped:
            errors.append(Error(
                f"{path} is in both MIDDLEWARE_FOR_API_KEYS and MIDDLEWARE_SKIPPED_FOR_API_KEYS.",
                hint="Keep it in the one list that says what calls authenticated by an API key do with it.",
                id="config.E002",
            ))
    return errors
