"""The workspace-scoped API base (STYLE §3: resolve the tenant from the URL once), and how the OpenAPI
schema describes API keys. `ApiView` is `config.api`'s; the dataset- and record-scoped bases are
labeling's (labeling.api.base).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from config.api import ApiView

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


class WorkspaceScopedApi(ApiView):
    """Resolves `workspace_id` from the URL once, through the tenancy selector: 404 if not visible."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.workspace = workspace_get(user=request.user, workspace_id=kwargs["workspace_id"])
