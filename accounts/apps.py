from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    default = True


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with `accounts.admin_site.AdminSite` as the default `admin.site`.

    Who may use the admin is decided by memberships (accounts.tenancy). This module stays
    import-light: Django loads it before any model exists.
    """

    default = False  # listed in INSTALLED_APPS by its own path; "accounts" means AccountsConfig
    default_site = "accounts.admin_site.AdminSite"
