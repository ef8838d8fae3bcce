"""Every route under /api/: the accounts and labeling APIs, the OpenAPI schema and its docs page.

The docs page loads Swagger UI from drf-spectacular-sidecar's bundled assets (no CDN). Both schema
views carry the failed-authentication throttle like every other API view.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api import FailedAuthThrottleMixin


class SchemaApi(FailedAuthThrottleMixin, SpectacularAPIView):
    pass


class DocsApi(FailedAuthThrottleMixin, SpectacularSwaggerView):
    pass


urlpatterns = [
    path("", include("labeling.api.urls")),  # first, as the annotation loop's routes are there
    path("", include("accounts.api.urls")),
    path("schema/", SchemaApi.as_view(), name="api-schema"),
    path("docs/", DocsApi.as_view(url_name="api-schema"), name="api-docs"),
]
