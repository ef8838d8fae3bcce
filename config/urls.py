from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Demonstrations — administration"
admin.site.site_title = "Demonstrations admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("argilla/", include("argilla_compat.urls")),
    path("", include("labeling.urls")),
    path("api/", include("config.api_urls")),
    path("api/", include("labeling.api.distribution")),
    path("", include("labeling.dashboard_urls")),
    path("api/", include("exports.api.urls")),
    path("", include("exports.urls")),
]
