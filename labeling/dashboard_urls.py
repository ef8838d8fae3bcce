"""Route of the dataset dashboard; mounted at the site root by config/urls.py."""

from django.urls import path

from . import dashboard

app_name = "dashboard"

urlpatterns = [
    path("datasets/<uuid:dataset_id>/dashboard/", dashboard.dashboard_page, name="dataset"),
]
