from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.ExportJobListApi.as_view(), name="export-list"),
    path("exports/<str:job_id>/", views.ExportJobDetailApi.as_view(), name="export-detail"),
    path("exports/<str:job_id>/download/", views.ExportJobDownloadApi.as_view(), name="export-download"),
    path("imports/", views.ImportJobListApi.as_view(), name="import-list"),
    path("imports/<str:job_id>/", views.ImportJobDetailApi.as_view(), name="import-detail"),
    path("imports/<str:job_id>/download/", views.ImportJobDownloadApi.as_view(), name="import-download"),
]
