from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Demonstrations — administration"
admin.site.site_title = "Demonstrations admin"

# The API first: Django tries the patterns in order on every request, and the annotation loop's
# calls would otherwise be matched against every portal page first.
urlpatterns = [
    path("api/", include("config.api_urls")),
    path("api/", include("labeling.api.distribution")),
    path("api/", include("exports.api.urls")),
    path("argilla/", include("argilla_compat.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("labeling.urls")),
    path("", include("labeling.dashboard_urls")),
    path("", include("exports.urls")),
]

# Django's own 400/403/404/500 answers, as JSON in each API's shape under /api/ and /argilla.
handler400 = "config.error_views.bad_request"
handler403 = "config.error_views.permission_denied"
handler404 = "config.error_views.page_not_found"
handler500 = "config.error_views.server_error"
