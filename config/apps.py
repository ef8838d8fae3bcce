from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with `config.admin.AdminSite` as the default `admin.site`.

    This module stays import-light: Django loads it before any model exists.
    """

    default_site = "config.admin.AdminSite"
