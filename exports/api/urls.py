from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.ExportJobListApi.as_view(), name="export-list"),
    path("exports/<uuid:job_id>/", views.ExportJobDetailApi.as_view(), name="export-detail"),
    path("exports/<uuid:job_id>/download/", views.ExportJobDownloadApi.as_view(), name="export-download"),
    path("imports/", views.ImportJobListApi.as_view(), name="import-list"),
    path("imports/<uuid:job_id>/", views.ImportJobDetailApi.as_view(), name="import-detail"),
    path("imports/<uuid:job_id>/download/", views.ImportJobDownloadApi.as_view(), name="import-download"),
]
