from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with `config.admin.AdminSite` as the default `admin.site`.

    This module stays import-light: Django loads it before any model exists.
    """

    default_site = "config.admin.AdminSite"


class ConfigConfig(AppConfig):
    """The project's own wiring as an app, so that its system checks (config.checks) are registered."""

    name = "config"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
