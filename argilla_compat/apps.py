from django.apps import AppConfig


class ArgillaCompatConfig(AppConfig):
    name = "argilla_compat"
    verbose_name = "Argilla SDK compatibility"
