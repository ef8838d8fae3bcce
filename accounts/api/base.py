"""The base of every /api/ view, and the workspace-scoped base (STYLE §3: resolve the tenant from the URL once).

`ApiView` lives here rather than in config.api because it ends each request's memberships
(accounts.tenancy); the dataset- and record-scoped bases are labeling's (labeling.api.base).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from config.api import ApiAutoSchema, FailedAuthThrottleMixin, JsonNegotiation, Pagination

from .. import tenancy
from ..selectors import workspace_get


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes `accounts.authentication.ApiKeyAuthentication`."""

    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Send `Authorization: Token <api key>`.",
        }


class ApiView(FailedAuthThrottleMixin, APIView):
    """Base of every /api/ view: JSON in and out, throttled authentication, strict parsing, paging."""

    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonNegotiation
    schema = ApiAutoSchema()
    pagination_class = Pagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Memberships that lookups remember on the user object are for one request; a client may
        # reuse one user object across requests (DRF's force_authenticate does).
        tenancy.forget_memberships(request.user)

    def parse_body(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def parse_query(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def paginate(self, queryset, serializer_class, *, context: dict | None = None):
        """One page of `queryset` as {"next", "previous", "results"}; page_size is validated by the query serializer."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


class WorkspaceScopedApi(ApiView):
    """Resolves `workspace_id` from the URL once, through the tenancy selector: 404 if not visible."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.workspace = workspace_get(user=request.user, workspace_id=kwargs["workspace_id"])
