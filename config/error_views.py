"""Django's own error responses (handler400/403/404/500, set in config.urls), in each API's error shape.

Errors raised inside a view are rendered by that API (`config.api.exception_handler` on /api/,
`argilla_compat.http.endpoint` on /argilla). These handlers answer what happens around the views:
a path no route matches, a body over DATA_UPLOAD_MAX_MEMORY_SIZE read before a view could answer,
a disallowed host, an uncaught exception. Under /api/ they answer `{"error": {...}}`, under /argilla
Argilla's `{"detail": ...}`; the portal and the admin keep Django's HTML pages.
"""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views import defaults

from .bodies import body_too_large

API_PREFIX = "/api/"
ARGILLA_PREFIX = "/argilla/"


def _json(request: HttpRequest, status: int, code: str, message: str, details: dict | None = None) -> HttpResponse | None:
    """The error as JSON in the shape of the API the path belongs to; None for other paths."""
    if request.path.startswith(API_PREFIX):
        body = {"error": {"code": code, "message": message, "details": details or {}}}
    elif request.path.startswith(ARGILLA_PREFIX):
        body = {"detail": message}
    else:
        return None
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def bad_request(request: HttpRequest, exception=None, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if isinstance(exception, RequestDataTooBig):
        error = body_too_large()
        response = _json(request, error.http_status, error.code, error.message, error.details)
    else:
        response = _json(request, 400, "bad_request", "The request could not be understood.")
    return response or defaults.bad_request(request, exception, template_name)


def permission_denied(request: HttpRequest, exception=None, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    response = _json(request, 403, "permission_denied", "You do not have permission to do this.")
    return response or defaults.permission_denied(request, exception, template_name)


def page_not_found(request: HttpRequest, exception=None, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    response = _json(request, 404, "not_found", "Not found; see the API schema at /api/schema/ for the routes.")
    return response or defaults.page_not_found(request, exception, template_name)


def server_error(request: HttpRequest, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    response = _json(request, 500, "server_error", "The server failed to answer; try again, and report it if it persists.")
    return response or defaults.server_error(request, template_name)
