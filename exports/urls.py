"""Portal pages for exports and imports (workspace admins); mounted at the site root by config/urls.py."""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("exports/", views.exports_page, name="exports"),
    path("imports/", views.imports_page, name="imports"),
    path("datasets/<uuid:dataset_id>/import/", views.dataset_import_page, name="dataset_import"),
]
