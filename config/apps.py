from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's own wiring as an app, so that its system checks (config.checks) are registered."""

    name = "config"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
